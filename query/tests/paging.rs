//! Pages of a list, whatever their size, add up to the list: no hit lost, none
//! repeated, in one total order (score, then a stable key), even when many hits tie.

use cartograph_graph::IndexConfig;
use cartograph_query::api::SearchRequest;
use cartograph_query::Workspace;

#[test]
fn search_pages_of_any_size_neither_drop_nor_repeat_tied_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    // 40 files of 8 functions that all score alike for "cart".
    for f in 0..40 {
        let dir = root.join(format!("svc{}", f % 5));
        std::fs::create_dir_all(&dir).unwrap();
        let body: String = (0..8)
            .map(|i| format!("def cart_{i}():\n    return {i}\n\n"))
            .collect();
        std::fs::write(dir.join(format!("m{f}.py")), body).unwrap();
    }
    let config = IndexConfig {
        roots: vec![root.clone()],
        ..IndexConfig::default()
    };
    let (ws, _) = Workspace::index(&root.join(".cartograph"), &config, &|_| {}).unwrap();
    let request = |limit: usize, cursor: Option<String>| SearchRequest {
        text: "cart".to_string(),
        kind: None,
        lang: None,
        service: None,
        path: None,
        limit: Some(limit),
        cursor,
    };
    let whole: Vec<String> = ws
        .search_page(&request(500, None))
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(whole.len(), 320);
    // Page sizes from a fixed pseudo-random sequence, then a few fixed ones.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut sizes: Vec<usize> = (0..12)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            1 + (seed % 97) as usize
        })
        .collect();
    sizes.extend([1, 7, 20, 319, 320]);
    for size in sizes {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = ws.search_page(&request(size, cursor)).unwrap();
            assert!(page.items.len() <= size);
            seen.extend(page.items.into_iter().map(|h| h.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, whole, "pages of {size}");
    }
}
