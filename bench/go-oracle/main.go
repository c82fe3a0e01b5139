// Command go-oracle writes a SCIP index of a Go project from go/types: every
// identifier the type checker resolves, at its position, with the symbol of the
// object it denotes. It is the precise indexer `cartograph accuracy` compares Go
// answers against (bench/accuracy-unseen.sh).
//
// Usage: go-oracle ROOT IMPORTPATH OUT.scip
//
// ROOT is the project's directory inside a GOPATH whose packages the project
// imports (GO111MODULE=off); IMPORTPATH is ROOT's import path. Each directory's
// package is checked with its in-package tests, then its external test package.
// Objects declared at package level, struct fields and methods get a symbol
// named by their declaration's position, so a reference anywhere names the same
// symbol as the declaration; objects inside a function body (and parameters)
// are document-local. Objects declared outside ROOT have no definition in the
// index, so the harness counts them as library references.
package main

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type occurrence struct {
	line, col, end int
	symbol         string
	definition     bool
}

type oracle struct {
	root     string
	fset     *token.FileSet
	imp      types.ImporterFrom
	docs     map[string][]occurrence
	locals   map[types.Object]string
	bodies   map[string][][2]token.Pos // function bodies by file name
	checked  int
	failures int
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go-oracle ROOT IMPORTPATH OUT.scip")
		os.Exit(2)
	}
	root, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	o := &oracle{
		root:   root,
		fset:   token.NewFileSet(),
		docs:   map[string][]occurrence{},
		locals: map[types.Object]string{},
		bodies: map[string][][2]token.Pos{},
	}
	o.imp = importer.ForCompiler(o.fset, "source", nil).(types.ImporterFrom)
	err = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			return nil
		}
		name := info.Name()
		if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		o.dir(path)
		return nil
	})
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(os.Args[3], o.encode(), 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "go-oracle: %d packages checked (%d with type errors), %d documents\n", o.checked, o.failures, len(o.docs))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-oracle:", err)
	os.Exit(1)
}

// dir checks the package in one directory and its external tests.
func (o *oracle) dir(dir string) {
	bp, err := build.ImportDir(dir, build.ImportComment)
	if err != nil {
		return
	}
	own := append(append(append([]string{}, bp.GoFiles...), bp.CgoFiles...), bp.TestGoFiles...)
	o.check(dir, bp.ImportPath, own)
	o.check(dir, bp.ImportPath+"_test", bp.XTestGoFiles)
}

func (o *oracle) check(dir, path string, names []string) {
	if len(names) == 0 {
		return
	}
	var files []*ast.File
	for _, n := range names {
		f, err := parser.ParseFile(o.fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			continue
		}
		files = append(files, f)
		o.noteBodies(f)
	}
	info := &types.Info{
		Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{},
	}
	errors := 0
	conf := types.Config{
		Importer:    o.imp,
		FakeImportC: true,
		Error: func(err error) {
			if errors == 0 && os.Getenv("GO_ORACLE_VERBOSE") != "" {
				fmt.Fprintln(os.Stderr, path+":", err)
			}
			errors++
		},
	}
	pkg, _ := conf.Check(path, o.fset, files, info)
	o.checked++
	if errors > 0 {
		o.failures++
	}
	for _, f := range files {
		o.packageClause(f, pkg)
	}
	for id, obj := range info.Defs {
		if obj != nil {
			o.add(id, obj, true)
		}
	}
	for id, obj := range info.Uses {
		o.add(id, obj, false)
	}
}

// packageClause defines the package at each file's `package x` name.
func (o *oracle) packageClause(f *ast.File, pkg *types.Package) {
	if pkg == nil {
		return
	}
	doc, ok := o.document(f.Name.Pos())
	if !ok {
		return
	}
	p := o.fset.Position(f.Name.Pos())
	o.docs[doc] = append(o.docs[doc], occurrence{p.Line - 1, p.Column - 1, p.Column - 1 + len(f.Name.Name), "go-oracle go . . " + pkg.Path() + "/", true})
}

// document is the project-relative path of the file holding pos.
func (o *oracle) document(pos token.Pos) (string, bool) {
	file := o.fset.Position(pos).Filename
	rel, err := filepath.Rel(o.root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func (o *oracle) add(id *ast.Ident, obj types.Object, definition bool) {
	doc, ok := o.document(id.Pos())
	if !ok {
		return
	}
	symbol := o.symbol(obj, doc)
	if symbol == "" {
		return
	}
	p := o.fset.Position(id.Pos())
	o.docs[doc] = append(o.docs[doc], occurrence{p.Line - 1, p.Column - 1, p.Column - 1 + len(id.Name), symbol, definition})
}

// symbol names obj: a package by its path, a declaration by its position, a
// function-local object per document.
func (o *oracle) symbol(obj types.Object, doc string) string {
	switch obj := obj.(type) {
	case *types.PkgName:
		return "go-oracle go . . " + obj.Imported().Path() + "/"
	case *types.Label, *types.Builtin, *types.Nil:
		return ""
	}
	if obj.Pkg() == nil || !obj.Pos().IsValid() {
		return ""
	}
	if o.local(obj) {
		if s, ok := o.locals[obj]; ok {
			return s
		}
		s := fmt.Sprintf("local %d", len(o.locals))
		o.locals[obj] = s
		return s
	}
	p := o.fset.Position(obj.Pos())
	where := p.Filename
	if rel, err := filepath.Rel(o.root, p.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		where = filepath.ToSlash(rel)
	}
	name := fmt.Sprintf("go-oracle go . . %s:%d:%d/%s", where, p.Line, p.Column, obj.Name())
	switch obj.(type) {
	case *types.TypeName:
		return name + "#"
	case *types.Func:
		return name + "()."
	}
	return name + "."
}

// noteBodies records where f's function bodies are.
func (o *oracle) noteBodies(f *ast.File) {
	name := o.fset.Position(f.Pos()).Filename
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				o.bodies[name] = append(o.bodies[name], [2]token.Pos{n.Body.Pos(), n.Body.End()})
			}
			return false
		case *ast.FuncLit:
			o.bodies[name] = append(o.bodies[name], [2]token.Pos{n.Body.Pos(), n.Body.End()})
			return false
		}
		return true
	})
}

// inBody: pos is inside a function body of a file this run parsed.
func (o *oracle) inBody(pos token.Pos) bool {
	for _, b := range o.bodies[o.fset.Position(pos).Filename] {
		if b[0] <= pos && pos < b[1] {
			return true
		}
	}
	return false
}

// local: declared inside a function (parameters, results, type parameters,
// variables and types in a body, fields of a struct type written in a body).
func (o *oracle) local(obj types.Object) bool {
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return o.inBody(v.Pos())
	}
	if f, ok := obj.(*types.Func); ok && f.Type().(*types.Signature).Recv() != nil {
		return false
	}
	if _, ok := obj.(*types.TypeName); ok {
		if tp, ok := obj.Type().(*types.TypeParam); ok && tp != nil {
			return true
		}
	}
	parent := obj.Parent()
	if parent == nil {
		return true
	}
	return parent != obj.Pkg().Scope() && parent != types.Universe
}

// encode writes the SCIP protobuf: metadata (tool name, UTF-8 positions) and
// one document per file with its occurrences in source order.
func (o *oracle) encode() []byte {
	var out []byte
	info := field(1, []byte("go-oracle"))
	info = append(info, field(2, []byte("1"))...)
	meta := field(2, info)
	out = append(out, field(1, meta)...)
	paths := make([]string, 0, len(o.docs))
	for p := range o.docs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		occs := o.docs[p]
		sort.Slice(occs, func(i, j int) bool {
			if occs[i].line != occs[j].line {
				return occs[i].line < occs[j].line
			}
			return occs[i].col < occs[j].col
		})
		doc := field(1, []byte(p))
		for _, oc := range occs {
			var rng []byte
			rng = varint(rng, uint64(oc.line))
			rng = varint(rng, uint64(oc.col))
			rng = varint(rng, uint64(oc.end))
			occ := field(1, rng)
			occ = append(occ, field(2, []byte(oc.symbol))...)
			if oc.definition {
				occ = varint(occ, 3<<3)
				occ = varint(occ, 1)
			}
			doc = append(doc, field(2, occ)...)
		}
		doc = varint(doc, 6<<3)
		doc = varint(doc, 1)
		out = append(out, field(2, doc)...)
	}
	return out
}

func varint(out []byte, v uint64) []byte {
	for v >= 0x80 {
		out = append(out, byte(v)|0x80)
		v >>= 7
	}
	return append(out, byte(v))
}

func field(n uint64, b []byte) []byte {
	out := varint(nil, n<<3|2)
	out = varint(out, uint64(len(b)))
	return append(out, b...)
}
