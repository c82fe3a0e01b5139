module cartograph.bench/go-oracle

go 1.19
