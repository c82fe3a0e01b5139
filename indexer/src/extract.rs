//! Extraction: `(language, text) -> FileFacts`, pure and infallible.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cartograph_grammars::Language;
use rustc_hash::{FxHashMap, FxHashSet};
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, ParseOptions, Parser, Query, QueryCursor, QueryCursorOptions};

use crate::facts::{
    Binding, Diagnostic, FileFacts, Import, RefKind, Reference, Span, SymbolDef, SymbolKind,
};

/// Longest signature kept, in bytes.
const MAX_SIGNATURE: usize = 240;
/// Longest signature of a type kept, in bytes: its generic parameters and the
/// arguments it gives its bases are what its inherited members are typed by.
const MAX_TYPE_SIGNATURE: usize = 720;
/// Longest doc comment kept, in bytes.
const MAX_DOC: usize = 2000;

/// What a query capture means to the extractor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Definition(SymbolKind),
    /// A field defined by assignment inside a method (`self.x = ...`): a member of
    /// the enclosing type, defined where it is first assigned.
    AssignedField,
    Reference(RefKind),
    /// Any identifier: kept as a reference only when the file defines or imports
    /// its name (so locals are not linked to unrelated definitions elsewhere).
    Identifier,
    /// A name bound locally (a parameter, a local variable): bare uses of it after
    /// the binding, in the same definition, are not references to definitions.
    Local,
    /// A C++ template parameter (`T` of `template <typename T>`): no use of it in
    /// its template refers to a definition.
    TemplateParam,
    /// The address an rpc transport or channel connects to.
    RpcAddress,
    HttpRoute,
    HttpCall,
    /// A call that is an HTTP call only if its URL evaluates to an absolute one.
    HttpUrlCall,
    /// An HTTP call on a client whose registration may give it a base address (a
    /// .NET typed client): a relative URL goes there.
    HttpTypedCall,
    /// A typed client's registration with its base address
    /// (`AddHttpClient<CatalogService>(c => c.BaseAddress = ...)`).
    HttpClientBase,
    /// The application a service-invocation call names (Dapr's app id).
    HttpApp,
    /// The callback a call hands its client to; the request it makes is the call's.
    HttpCallback,
    TopicProduce,
    TopicConsume,
    TopicName,
    /// An expression or type whose type names the message (an event bus keyed by
    /// message types: `Publish(new OrderPaid(..))`, `AddSubscription<OrderPaid, H>()`).
    TopicType,
    /// The type whose `Handle` method a subscription registers (`AddSubscription<E, H>`).
    TopicListener,
    /// A function whose name names a binding (Spring Cloud Stream's functional
    /// beans: `orders` reads `orders-in-0`, writes `orders-out-0`).
    TopicBinding,
    TopicExchange,
    Mount,
    MountPrefix,
    MountTarget,
    GrpcRegister,
    ProxyRoute,
    ProxyPrefix,
    ProxyTarget,
    GrpcService,
    GrpcMethod,
    GrpcHandler,
    HttpMethod,
    HttpUrl,
    HttpHandler,
    HttpPrefix,
    HttpScope,
    ConstName,
    ConstValue,
    ConstArgument,
    /// A literal path or URL passed to a call (see [`FileFacts::passed`]).
    CallValue,
    /// A datastore's or broker's address (see [`FileFacts::connections`]).
    StoreAddress,
    /// A method taking nothing whose name says it gives an address, evaluated
    /// through the file's classes (see `crate::objects`).
    ValueMethod,
    Name,
    Receiver,
    Container,
    ContainerName,
    Import,
    ImportModule,
    ImportName,
    ImportAlias,
    BindingName,
    BindingType,
    /// The name a binding's value is taken from (`auto client = wrapper->GetClient()`).
    BindingFrom,
    /// A name each of whose values is one element of a collection (`x` of `for x in
    /// xs`, `y` of `xs.forEach((y) => ..)`), the collection (`@element.of`) and where
    /// the name holds it (`@element.scope`).
    ElementName,
    ElementOf,
    ElementScope,
    /// A parameter of a function passed as an argument (`inst` of `init("X", (inst)
    /// => ..)`) and that function: typed as the callee declares the parameter.
    CallbackName,
    CallbackFunction,
    Ignored,
}

/// A compiled tags query plus the role of each capture.
struct TagsQuery {
    query: Query,
    roles: Vec<Role>,
    /// Per pattern: whether it is ours (from `grammars/queries`) rather than the
    /// grammar crate's. Ours win when both capture the same name.
    own: Vec<bool>,
}

fn role_of(capture: &str) -> Role {
    if capture == "definition.assigned_field" {
        return Role::AssignedField;
    }
    if let Some(kind) = capture.strip_prefix("definition.") {
        return match SymbolKind::from_name(kind) {
            Some(k) => Role::Definition(k),
            None => Role::Ignored,
        };
    }
    if capture == "reference.identifier" {
        return Role::Identifier;
    }
    if let Some(kind) = capture.strip_prefix("reference.") {
        // The grammar crates' tags queries name some kinds differently.
        let kind = match kind {
            "class" | "interface" => "type",
            "send" => "call",
            "implementation" => "implement",
            other => other,
        };
        return match RefKind::from_name(kind) {
            Some(k) => Role::Reference(k),
            None => Role::Ignored,
        };
    }
    match capture {
        "name" => Role::Name,
        "receiver" => Role::Receiver,
        "container" => Role::Container,
        "container.name" => Role::ContainerName,
        "import" => Role::Import,
        "import.module" => Role::ImportModule,
        "import.name" => Role::ImportName,
        "import.alias" => Role::ImportAlias,
        "binding.name" => Role::BindingName,
        "local" => Role::Local,
        "template.param" => Role::TemplateParam,
        "rpc.address" => Role::RpcAddress,
        "http.route" => Role::HttpRoute,
        "topic.produce" => Role::TopicProduce,
        "topic.consume" => Role::TopicConsume,
        "topic.name" => Role::TopicName,
        "topic.exchange" => Role::TopicExchange,
        "topic.type" => Role::TopicType,
        "topic.listener" => Role::TopicListener,
        "topic.binding" => Role::TopicBinding,
        "http.mount" => Role::Mount,
        "mount.prefix" => Role::MountPrefix,
        "mount.target" => Role::MountTarget,
        "grpc.register" => Role::GrpcRegister,
        "proxy.route" => Role::ProxyRoute,
        "proxy.prefix" => Role::ProxyPrefix,
        "proxy.target" => Role::ProxyTarget,
        "grpc.service" => Role::GrpcService,
        "grpc.method" => Role::GrpcMethod,
        "grpc.handler" => Role::GrpcHandler,
        "http.call" => Role::HttpCall,
        "http.urlcall" => Role::HttpUrlCall,
        "http.typedcall" => Role::HttpTypedCall,
        "http.clientbase" => Role::HttpClientBase,
        "http.app" => Role::HttpApp,
        "http.callback" => Role::HttpCallback,
        "http.method" => Role::HttpMethod,
        "http.path" | "http.url" => Role::HttpUrl,
        "http.handler" => Role::HttpHandler,
        "http.prefix" => Role::HttpPrefix,
        "http.scope" => Role::HttpScope,
        "const.name" => Role::ConstName,
        "const.value" => Role::ConstValue,
        "const.argument" => Role::ConstArgument,
        "call.value" => Role::CallValue,
        "store.address" => Role::StoreAddress,
        "value.method" => Role::ValueMethod,
        "binding.type" => Role::BindingType,
        "binding.from" => Role::BindingFrom,
        "element.name" => Role::ElementName,
        "element.of" => Role::ElementOf,
        "element.scope" => Role::ElementScope,
        "callback.name" => Role::CallbackName,
        "callback.function" => Role::CallbackFunction,
        _ => Role::Ignored,
    }
}

/// The innermost symbol whose span holds `span` (the last to start), by index.
fn innermost_symbol(symbols: &[SymbolDef], span: &Span) -> Option<u32> {
    symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.span.contains(span))
        .max_by_key(|(_, s)| s.span.start_byte)
        .map(|(i, _)| i as u32)
}

/// Deepest syntax-tree level at which a match may start. Nesting deeper than this is
/// pathological (generated or hostile code): what lies below it is not extracted,
/// which keeps extraction linear in the file's size (a node's parent is found by a
/// walk from the root, so unbounded depth made it quadratic).
pub const MAX_NESTING: u32 = 512;

/// Time one file's extraction may take by default; a file over it is skipped.
pub const DEFAULT_FILE_BUDGET: Duration = Duration::from_secs(10);

/// What [`extract_with`] extracts, and when it gives up.
#[derive(Clone, Copy, Debug)]
pub struct ExtractConfig<'a> {
    /// Service endpoints (HTTP routes and calls, gRPC registrations, topics, gateway
    /// forwards, and the constants their addresses are built from). Without them the
    /// query skips those patterns: used to measure what endpoints cost.
    pub endpoints: bool,
    /// Time the file may take; over it, its facts are dropped and a diagnostic says
    /// so. `None`: no limit.
    pub budget: Option<Duration>,
    /// Set from elsewhere to stop extracting at once (the facts are then empty).
    pub cancel: Option<&'a AtomicBool>,
}

impl Default for ExtractConfig<'_> {
    fn default() -> Self {
        ExtractConfig {
            endpoints: true,
            budget: Some(DEFAULT_FILE_BUDGET),
            cancel: None,
        }
    }
}

/// When extraction must stop: a deadline and a cancellation flag.
struct Interrupt<'a> {
    deadline: Option<Instant>,
    cancel: Option<&'a AtomicBool>,
}

impl Interrupt<'_> {
    fn due(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The facts of a file whose extraction was stopped: nothing but why.
    fn stopped(&self, config: &ExtractConfig, lines: u32) -> FileFacts {
        let cancelled = self.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        let message = match config.budget {
            _ if cancelled => "extraction cancelled; no facts kept".to_string(),
            Some(b) => format!(
                "extraction took longer than the {:.1} s budget; file skipped, no facts kept",
                b.as_secs_f64()
            ),
            None => "extraction stopped; no facts kept".to_string(),
        };
        FileFacts {
            lines,
            diagnostics: vec![Diagnostic {
                line: None,
                message,
            }],
            ..FileFacts::default()
        }
    }
}

/// Captures that make a pattern part of endpoint extraction.
const ENDPOINT_CAPTURES: [&str; 5] = ["@http.", "@topic.", "@grpc.", "@proxy.", "@const."];

fn tags_query(lang: Language, config: &ExtractConfig) -> Option<&'static TagsQuery> {
    // Compiled on first use, per language: compiling a query costs tens of
    // milliseconds, and most runs touch few languages.
    static QUERIES: [[OnceLock<Option<TagsQuery>>; Language::ALL.len()]; 2] =
        [const { [const { OnceLock::new() }; Language::ALL.len()] }; 2];
    let slot = Language::ALL.iter().position(|l| *l == lang)?;
    QUERIES[usize::from(!config.endpoints)][slot]
        .get_or_init(|| {
            let (upstream, own) = lang.tags_query_parts();
            let source = format!("{upstream}{own}");
            let mut query = Query::new(&lang.grammar(), &source).ok()?;
            if !config.endpoints {
                let starts: Vec<usize> = (0..query.pattern_count())
                    .map(|i| query.start_byte_for_pattern(i))
                    .chain([source.len()])
                    .collect();
                for (i, w) in starts.windows(2).enumerate() {
                    let text = source.get(w[0]..w[1]).unwrap_or("");
                    if ENDPOINT_CAPTURES.iter().any(|c| text.contains(c)) {
                        query.disable_pattern(i);
                    }
                }
            }
            let roles = query.capture_names().iter().map(|c| role_of(c)).collect();
            let own = (0..query.pattern_count())
                .map(|i| query.start_byte_for_pattern(i) >= upstream.len())
                .collect();
            Some(TagsQuery { query, roles, own })
        })
        .as_ref()
}

thread_local! {
    static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
}

/// Parses `text` as `lang` and returns its syntax tree, or `None` if the grammar
/// could not be loaded. Parsers are cached per thread.
pub(crate) fn parse(lang: Language, text: &str) -> Option<tree_sitter::Tree> {
    parse_until(lang, text, &mut || false)
}

/// [`parse`], giving up (`None`) as soon as `stop` says so.
fn parse_until(
    lang: Language,
    text: &str,
    stop: &mut dyn FnMut() -> bool,
) -> Option<tree_sitter::Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = match parsers.entry(lang) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut p = Parser::new();
                p.set_language(&lang.grammar()).ok()?;
                e.insert(p)
            }
        };
        let bytes = text.as_bytes();
        let mut progress = |_: &tree_sitter::ParseState| stop();
        let options = ParseOptions::new().progress_callback(&mut progress);
        parser.parse_with_options(
            &mut |at, _| bytes.get(at..).unwrap_or_default(),
            None,
            Some(options),
        )
    })
}

/// A depth of the tree that exceeds `limit` exactly when the deepest node's does
/// (smaller depths are not worked out exactly). A subtree with
/// no more descendants than the depth left to `limit` cannot reach it and is not
/// entered (`descendant_count` is stored in the tree), so only the few large
/// subtrees are walked.
fn tree_depth(root: Node<'_>, limit: u32) -> u32 {
    let mut cursor = root.walk();
    let (mut depth, mut deepest) = (0u32, 0u32);
    loop {
        let small =
            (depth as usize).saturating_add(cursor.node().descendant_count()) <= limit as usize;
        if small {
            deepest = deepest.max(depth);
        }
        if !small && depth < limit && cursor.goto_first_child() {
            depth += 1;
            deepest = deepest.max(depth);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return deepest;
            }
            depth -= 1;
        }
    }
}

/// Parses only, without extraction; used to measure the parsing floor.
/// Returns the number of syntax nodes, so the work cannot be optimised away.
pub fn parse_only(lang: Language, text: &str) -> usize {
    parse(lang, text).map_or(0, |t| t.root_node().descendant_count())
}

fn span_of(node: Node<'_>) -> Span {
    let s = node.start_position();
    let e = node.end_position();
    Span {
        start_line: s.row as u32 + 1,
        start_col: s.column as u32,
        end_line: e.row as u32 + 1,
        end_col: e.column as u32,
        start_byte: node.start_byte() as u32,
        end_byte: node.end_byte() as u32,
    }
}

fn text_of<'a>(node: Node<'_>, text: &'a str) -> &'a str {
    text.get(node.byte_range()).unwrap_or("")
}

/// Number of lines in `text` (a trailing newline does not start a new line).
pub fn count_lines(text: &str) -> u32 {
    if text.is_empty() {
        return 0;
    }
    let newlines = memchr_count(text.as_bytes(), b'\n');
    if text.ends_with('\n') {
        newlines as u32
    } else {
        newlines as u32 + 1
    }
}

fn memchr_count(bytes: &[u8], needle: u8) -> usize {
    bytes.iter().filter(|b| **b == needle).count()
}

struct RawDef<'t> {
    kind: SymbolKind,
    /// Defined by assignment in a method; belongs to the enclosing type.
    assigned: bool,
    node: Node<'t>,
    name: Node<'t>,
    receiver: Option<String>,
    own: bool,
    pattern: usize,
}

/// A captured reference. The name is borrowed and the qualifier found later, so
/// that identifiers dropped by the filters cost no allocation.
struct RawRef<'t> {
    kind: RefKind,
    span: Span,
    name: &'t str,
    node: Node<'t>,
    /// The node the pattern captured around the name (`@reference.*`).
    outer: Node<'t>,
    /// Found by our pattern (rather than the grammar crate's).
    own: bool,
    /// A bare identifier, kept only when the file defines or imports its name.
    weak: bool,
}

/// Longest qualifier kept, in bytes.
const MAX_QUALIFIER: usize = 120;

/// The text a name is reached through (`a.b` in `a.b.c`, `T` in `T::f`), if the name
/// ends a member access or a path.
fn qualifier_of(name: Node<'_>, outer: Node<'_>, text: &str) -> Option<String> {
    // Elixir's Phoenix route `get "/x", CartController, :show`: the action is a
    // function of the controller named before it.
    if name.kind() == "atom" {
        return name
            .prev_named_sibling()
            .filter(|p| p.kind() == "alias")
            .map(|p| text_of(p, text).to_string());
    }
    let before = text.get(..name.start_byte())?.trim_end();
    // C and C++ `stub->GetCart`: an operand right before the arrow (a return type
    // after `) -> ` is none).
    let arrow = before.strip_suffix("->").is_some_and(|head| {
        head.ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | ')' | ']'))
    });
    let member = before.ends_with(['.', ':']) || arrow;
    let field = before.ends_with(['{', ',']) || before.ends_with("ref") || before.ends_with("mut");
    if !member && !field {
        return None;
    }
    // Fields of struct literals and patterns and destructured names: the capture
    // around them (`@reference`) is the literal, the pattern or the declaration.
    match (outer.kind(), name.kind()) {
        // `const { a, b: c } = obj`: each key is a member of `obj`.
        (
            "variable_declarator",
            "shorthand_property_identifier_pattern" | "property_identifier",
        ) => {
            let value = outer.child_by_field_name("value")?;
            let q = text_of(value, text);
            let simple = q
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
            return (simple && !q.is_empty()).then(|| q.to_string());
        }
        // `Frame::Concat { head, ref tail, .. }`: through the pattern's type;
        // `Point { x, y: 1 }`: through the struct's type.
        // Go `Item{Name: "x"}`: through the literal's type.
        // A literal nested in a slice, array or map literal without its type
        // (`[]Item{{Name: "x"}}`): through the element's type.
        ("composite_literal", "identifier") => {
            let mut ty = outer.child_by_field_name("type")?;
            ty = match ty.kind() {
                "slice_type" | "array_type" | "implicit_length_array_type" => {
                    ty.child_by_field_name("element")?
                }
                "map_type" => ty.child_by_field_name("value")?,
                _ => ty,
            };
            if ty.kind() == "pointer_type" {
                ty = ty.named_child(0)?;
            }
            if ty.kind() == "generic_type" {
                ty = ty.child_by_field_name("type")?;
            }
            return matches!(ty.kind(), "type_identifier" | "qualified_type")
                .then(|| text_of(ty, text).to_string());
        }
        ("struct_pattern" | "struct_expression", _) => {
            let field = if outer.kind() == "struct_pattern" {
                "type"
            } else {
                "name"
            };
            let ty = outer.child_by_field_name(field)?;
            return (name.start_byte() > ty.end_byte()).then(|| text_of(ty, text).to_string());
        }
        _ => {}
    }
    // (A single colon ends a label or a type annotation, not a path.)
    if !before.ends_with('.') && !before.ends_with("::") && !arrow {
        return None;
    }
    // Most qualifiers are a plain path (`a.b`, `a::b`): read from the text, as
    // the node around the name would give them.
    // (Only right before the name: text before a line break may be a comment's.)
    let tight = text.get(..name.start_byte()).unwrap_or("");
    if let Some(q) = plain_qualifier(tight) {
        return (q.len() <= MAX_QUALIFIER).then(|| q.replace("!!.", ".").replace("!.", "."));
    }
    if let Some(q) = indexed_qualifier(tight, 0) {
        return (q.len() <= MAX_QUALIFIER).then(|| q.replace("!!.", ".").replace("!.", "."));
    }
    // The first segment of an absolute path (`::core`) has none.
    if tight
        .strip_suffix("::")
        .is_some_and(|head| head.is_empty() || head.ends_with(starts_operand))
    {
        return None;
    }
    // Else the name's parent: found under the capture around it when there is one
    // (a short walk); a name captured alone is looked up from the root.
    let parent = if outer.id() == name.id() {
        name.parent()?
    } else {
        let mut at = outer;
        while let Some(child) = at.child_with_descendant(name) {
            if child.id() == name.id() {
                break;
            }
            at = child;
        }
        at
    };
    if parent.start_byte() >= name.start_byte() {
        return None;
    }
    let prefix = text.get(parent.start_byte()..name.start_byte())?.trim_end();
    let q = ["?.", "::", ".", "->"]
        .iter()
        .find_map(|sep| prefix.strip_suffix(sep))?
        .trim();
    // Inside a macro's token tree the parent starts earlier: keep the operand only.
    let q = match q.rfind(|c: char| "([{,;=!&|<>+-*/% \t".contains(c)) {
        Some(i) if parent.kind() == "token_tree" => &q[i + 1..],
        _ => q,
    };
    // A chain continued on the next line (`Builder()\n    .add(..)\n    .build()`):
    // the operand without its line breaks.
    let joined;
    let q = if q.contains('\n') {
        joined = q.lines().map(str::trim).collect::<Vec<_>>().join("");
        joined.as_str()
    } else {
        q
    };
    if q.is_empty() {
        return None;
    }
    // A long chain is still a member access: its last link stands for it.
    if q.len() > MAX_QUALIFIER {
        let last = q.rsplit('.').next().filter(|l| l.len() <= MAX_QUALIFIER);
        return Some(format!("…{}", last.unwrap_or("")));
    }
    Some(q.to_string())
}

/// The qualifier of a name reached through a plain path, from the text right before
/// the name: `a.b` in `f(a.b.name`, `std::io` in `= std::io::name`.
/// The path is identifiers joined by `.` or `::` (perhaps led by `::`) right after a
/// delimiter (or the start); anything else (`f().name`, `a[0].name`, `a?.b.name`) gets `None`.
fn plain_qualifier(before: &str) -> Option<&str> {
    // (A non-null assertion or force unwrap is not part of the path: `state!.copy_`.)
    let body = ["?.", "!!.", "!.", "::", ".", "->"]
        .iter()
        .find_map(|sep| before.strip_suffix(sep))?;
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut start = body.len();
    loop {
        let head = &body[..start];
        let ident = head.len() - head.trim_end_matches(word).len();
        if ident == 0 {
            return None;
        }
        start -= ident;
        // A JavaScript private name: `this.#options`.
        if body[..start].ends_with('#') {
            start -= 1;
        }
        let head = &body[..start];
        match head
            .strip_suffix("::")
            .or_else(|| head.strip_suffix("!!."))
            .or_else(|| head.strip_suffix("!."))
            .or_else(|| head.strip_suffix('.'))
            .or_else(|| head.strip_suffix("->"))
        {
            Some(rest) if rest.ends_with(word) => start = rest.len(),
            // An absolute path: `::core::option`.
            Some(rest) if head.ends_with("::") && !rest.ends_with(':') => {
                start = rest.len();
                break;
            }
            _ => break,
        }
    }
    let delimited = body[..start].chars().next_back().is_none_or(starts_operand);
    delimited.then(|| &body[start..])
}

/// A path through an element of a collection (`self.items[i].`, `by_id[key]->`,
/// `rows[0][1].`): each index read as the `[]` segment, one element (`self.items.[]`).
/// Not a slice (`xs[1:]`, `xs[1..]`), a string key (`obj["key"]`, a property) or an
/// index holding a call.
fn indexed_qualifier(before: &str, depth: usize) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let body = ["?.", "!!.", "!.", "::", ".", "->"]
        .iter()
        .find_map(|sep| before.strip_suffix(sep))?;
    // The path after the last index: `.name` segments back to the `]`.
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.';
    let tail_start = body.trim_end_matches(word).len();
    let (indexed, tail) = body.split_at(tail_start);
    let indexed = indexed.strip_suffix(']')?;
    // The `[` opening it.
    let mut level = 0usize;
    let open = indexed.char_indices().rev().find_map(|(i, c)| match c {
        ']' => {
            level += 1;
            None
        }
        '[' if level == 0 => Some(i),
        '[' => {
            level -= 1;
            None
        }
        _ => None,
    })?;
    let index = &indexed[open + 1..];
    // (`obj["key"]` reads a property, no element.)
    if index.is_empty()
        || index.starts_with(['"', '\''])
        || index.contains(['\n', '(', ':'])
        || index.contains("..")
        || !(tail.is_empty() || tail.starts_with('.'))
    {
        return None;
    }
    let collection = &indexed[..open];
    let head = match plain_qualifier(&format!("{collection}.")) {
        Some(q) => q.to_string(),
        None => indexed_qualifier(&format!("{collection}."), depth + 1)?,
    };
    Some(format!("{head}.[]{tail}"))
}

/// Whether an operand can start right after `c` (a space, an opening bracket, a
/// separator or an operator).
fn starts_operand(c: char) -> bool {
    c.is_whitespace() || "([{,;=!&|<>+-*/%".contains(c)
}

struct RawContainer {
    span: Span,
    name: String,
}

#[derive(Default)]
struct RawImport {
    span: Span,
    module: Option<String>,
    names: Vec<String>,
    alias: Option<String>,
}

/// Extracts definitions, references and imports from `text` parsed as `lang`.
///
/// Never fails: syntax errors keep whatever could be extracted and add a diagnostic.
pub fn extract(lang: Language, text: &str) -> FileFacts {
    extract_with(lang, text, &ExtractConfig::default())
}

/// Compiles what extracting files of `lang` needs (its query: tens of milliseconds,
/// otherwise paid by the first file of the language while others wait for it).
pub fn prepare(lang: Language) {
    tags_query(lang, &ExtractConfig::default());
}

/// [`extract`], extracting what `config` asks for.
pub fn extract_with(lang: Language, text: &str, config: &ExtractConfig) -> FileFacts {
    let interrupt = Interrupt {
        deadline: config.budget.map(|b| Instant::now() + b),
        cancel: config.cancel,
    };
    // C# preprocessor directives may sit inside a parameter list or an initializer,
    // where the grammar cannot place them; blanking them (offsets kept) keeps the
    // code of every branch parseable.
    let blanked;
    let text = if lang == Language::CSharp && text.contains('#') {
        blanked = blank_directives(text);
        blanked.as_str()
    } else if matches!(lang, Language::C | Language::Cpp) {
        blanked = blank_annotation_macros(text);
        blanked.as_str()
    } else if lang == Language::TypeScript && text.contains('\n') {
        match separate_call_signatures(text) {
            Some(separated) => {
                blanked = separated;
                blanked.as_str()
            }
            None => text,
        }
    } else {
        text
    };
    let mut facts = FileFacts {
        lines: count_lines(text),
        ..FileFacts::default()
    };
    let Some(tq) = tags_query(lang, config) else {
        facts.diagnostics.push(Diagnostic {
            line: None,
            message: format!("the {lang} query failed to compile; no facts extracted"),
        });
        return facts;
    };
    let Some(tree) = parse_until(lang, text, &mut || interrupt.due()) else {
        if interrupt.due() {
            return interrupt.stopped(config, facts.lines);
        }
        facts.diagnostics.push(Diagnostic {
            line: None,
            message: format!("the {lang} parser gave up on this file"),
        });
        return facts;
    };
    let root = tree.root_node();
    if root.has_error() {
        let line = first_error_line(root);
        facts.diagnostics.push(Diagnostic {
            line,
            message: "syntax error; facts extracted around it".to_string(),
        });
    }

    let mut defs: Vec<RawDef<'_>> = Vec::new();
    let mut containers: Vec<RawContainer> = Vec::new();
    let mut refs: Vec<RawRef> = Vec::new();
    let mut imports: Vec<RawImport> = Vec::new();
    let mut bindings: Vec<Binding> = Vec::new();
    let mut locals: Vec<(&str, u32)> = Vec::new();
    let mut elements: Vec<Element<'_>> = Vec::new();
    let mut callbacks: Vec<Binding> = Vec::new();
    let mut template_params: Vec<(&str, Span)> = Vec::new();
    let mut rpc_addresses: Vec<Node<'_>> = Vec::new();
    let mut http_raw: Vec<crate::http::RawHttp<'_>> = Vec::new();
    let mut http_prefixes: Vec<crate::http::RawPrefix<'_>> = Vec::new();
    crate::http::begin_file();
    let mut topic_raw: Vec<crate::http::RawTopic<'_>> = Vec::new();
    let mut proxies: Vec<(Node<'_>, Node<'_>, Node<'_>)> = Vec::new();
    let mut mounts: Vec<(Node<'_>, Node<'_>, Node<'_>)> = Vec::new();
    let mut consts: crate::http::Constants<'_> = HashMap::new();
    let mut url_arguments: Vec<Node<'_>> = Vec::new();
    let mut call_values: Vec<Node<'_>> = Vec::new();
    let mut store_addresses: Vec<Node<'_>> = Vec::new();
    let mut value_methods: Vec<Node<'_>> = Vec::new();
    let mut client_bases: Vec<Node<'_>> = Vec::new();

    let mut cursor = QueryCursor::new();
    let depth = tree_depth(root, MAX_NESTING + 1);
    if depth > MAX_NESTING {
        cursor.set_max_start_depth(Some(MAX_NESTING));
        facts.diagnostics.push(Diagnostic {
            line: None,
            message: format!(
                "syntax nested deeper than {MAX_NESTING} levels; what lies deeper is not extracted"
            ),
        });
    }
    let mut progress = |_: &tree_sitter::QueryCursorState| interrupt.due();
    let options = QueryCursorOptions::new().progress_callback(&mut progress);
    let mut matches = cursor.matches_with_options(&tq.query, root, text.as_bytes(), options);
    let mut seen_matches = 0u32;
    while let Some(m) = matches.next() {
        seen_matches = seen_matches.wrapping_add(1);
        if seen_matches.is_multiple_of(256) && interrupt.due() {
            break;
        }
        let mut def: Option<(SymbolKind, Node<'_>)> = None;
        let mut assigned = false;
        let mut reference: Option<(RefKind, Node<'_>)> = None;
        let mut weak = false;
        let mut name: Option<Node<'_>> = None;
        let mut receiver: Option<Node<'_>> = None;
        let mut container: Option<Node<'_>> = None;
        let mut container_name: Option<Node<'_>> = None;
        let mut import: Option<Node<'_>> = None;
        let mut import_module: Option<Node<'_>> = None;
        let mut import_names: Vec<Node<'_>> = Vec::new();
        let mut import_alias: Option<Node<'_>> = None;
        let mut binding_name: Option<Node<'_>> = None;
        let mut binding_type: Option<Node<'_>> = None;
        let mut binding_from: Option<Node<'_>> = None;
        let (mut element_name, mut element_of, mut element_scope) = (None, None, None);
        let (mut callback_name, mut callback_function) = (None, None);
        let mut http_node: Option<(bool, Node<'_>)> = None;
        let (mut topic_node, mut topic_name, mut topic_exchange) = (None, None, None);
        let (mut topic_by_type, mut topic_listener) = (false, None);
        let mut topic_binding = false;
        let (mut grpc_node, mut grpc_service, mut grpc_method, mut grpc_handler) =
            (None, None, None, None);
        let (mut proxy_node, mut proxy_prefix, mut proxy_target) = (None, None, None);
        let (mut mount_node, mut mount_prefix, mut mount_target) = (None, None, None);
        let (mut http_method, mut http_url, mut http_handler) = (None, None, None);
        let mut absolute_only = false;
        let mut typed = false;
        let mut http_app = None;
        let mut http_callback = None;
        let (mut http_prefix, mut http_scope) = (None, None);
        let (mut const_name, mut const_value) = (None, None);
        for cap in m.captures {
            match tq
                .roles
                .get(cap.index as usize)
                .copied()
                .unwrap_or(Role::Ignored)
            {
                Role::Definition(k) => def = Some((k, cap.node)),
                Role::AssignedField => {
                    def = Some((SymbolKind::Field, cap.node));
                    assigned = true;
                }
                Role::Reference(k) => reference = Some((k, cap.node)),
                Role::Identifier => {
                    reference = Some((RefKind::Other, cap.node));
                    weak = true;
                }
                Role::Name => name = Some(cap.node),
                Role::Receiver => receiver = Some(cap.node),
                Role::Container => container = Some(cap.node),
                Role::ContainerName => container_name = Some(cap.node),
                Role::Import => import = Some(cap.node),
                Role::ImportModule => import_module = Some(cap.node),
                Role::ImportName => import_names.push(cap.node),
                Role::ImportAlias => import_alias = Some(cap.node),
                Role::BindingName => binding_name = Some(cap.node),
                Role::Local => locals.push((text_of(cap.node, text), cap.node.start_byte() as u32)),
                Role::RpcAddress => rpc_addresses.push(cap.node),
                Role::TemplateParam => {
                    // Its scope: the template declaration the parameter list opens.
                    let mut scope = cap.node.parent();
                    while let Some(n) = scope.filter(|n| n.kind() != "template_declaration") {
                        scope = n.parent();
                    }
                    if let Some(scope) = scope {
                        template_params.push((text_of(cap.node, text), span_of(scope)));
                    }
                }
                Role::HttpRoute => http_node = Some((true, cap.node)),
                Role::TopicProduce => topic_node = Some((true, cap.node)),
                Role::TopicConsume => topic_node = Some((false, cap.node)),
                Role::TopicName => topic_name = Some(cap.node),
                Role::TopicExchange => topic_exchange = Some(cap.node),
                Role::TopicType => {
                    topic_name = Some(cap.node);
                    topic_by_type = true;
                }
                Role::TopicListener => topic_listener = Some(cap.node),
                Role::TopicBinding => {
                    topic_name = Some(cap.node);
                    topic_binding = true;
                }
                Role::GrpcRegister => grpc_node = Some(cap.node),
                Role::ProxyRoute => proxy_node = Some(cap.node),
                Role::Mount => mount_node = Some(cap.node),
                Role::MountPrefix => mount_prefix = Some(cap.node),
                Role::MountTarget => mount_target = Some(cap.node),
                Role::ProxyPrefix => proxy_prefix = Some(cap.node),
                Role::ProxyTarget => proxy_target = Some(cap.node),
                Role::GrpcService => grpc_service = Some(cap.node),
                Role::GrpcMethod => grpc_method = Some(cap.node),
                Role::GrpcHandler => grpc_handler = Some(cap.node),
                Role::HttpCall => http_node = Some((false, cap.node)),
                Role::HttpUrlCall => {
                    http_node = Some((false, cap.node));
                    absolute_only = true;
                }
                Role::HttpTypedCall => {
                    http_node = Some((false, cap.node));
                    typed = true;
                }
                Role::HttpClientBase => client_bases.push(cap.node),
                Role::HttpApp => http_app = Some(cap.node),
                Role::HttpCallback => http_callback = Some(cap.node),
                Role::HttpMethod => http_method = Some(cap.node),
                Role::HttpUrl => http_url = Some(cap.node),
                Role::HttpHandler => http_handler = Some(cap.node),
                Role::HttpPrefix => http_prefix = Some(cap.node),
                Role::HttpScope => http_scope = Some(cap.node),
                Role::ConstName => const_name = Some(cap.node),
                Role::ConstValue => const_value = Some(cap.node),
                Role::ConstArgument => url_arguments.push(cap.node),
                Role::CallValue => call_values.push(cap.node),
                Role::StoreAddress => store_addresses.push(cap.node),
                Role::ValueMethod => value_methods.push(cap.node),
                Role::BindingType => binding_type = Some(cap.node),
                Role::BindingFrom => binding_from = Some(cap.node),
                Role::ElementName => element_name = Some(cap.node),
                Role::ElementOf => element_of = Some(cap.node),
                Role::ElementScope => element_scope = Some(cap.node),
                Role::CallbackName => callback_name = Some(cap.node),
                Role::CallbackFunction => callback_function = Some(cap.node),
                Role::Ignored => {}
            }
        }
        // C and C++: `class Slice;` declares what another file defines, and a
        // function declarator inside a body is a statement the grammar misread
        // (`assert(p != nullptr);` after a macro it could not place).
        let forward = |node: Node<'_>| {
            if !matches!(lang, Language::C | Language::Cpp) {
                return false;
            }
            match node.kind() {
                "class_specifier" | "struct_specifier" | "union_specifier" | "enum_specifier" => {
                    node.child_by_field_name("body").is_none()
                }
                "function_declarator" => {
                    let mut at = node.parent();
                    while let Some(n) = at {
                        match n.kind() {
                            "compound_statement" => return true,
                            "field_declaration_list" | "declaration_list" | "translation_unit" => {
                                return false
                            }
                            _ => at = n.parent(),
                        }
                    }
                    false
                }
                _ => false,
            }
        };
        if let (Some((kind, node)), Some(name)) = (def, name) {
            // A test macro (`TEST_F(CartTest, Adds) {...}`) defines the test its
            // arguments name, not a function named after the macro.
            let test_macro = matches!(lang, Language::C | Language::Cpp)
                && matches!(
                    text_of(name, text),
                    "TEST"
                        | "TEST_F"
                        | "TEST_P"
                        | "TYPED_TEST"
                        | "TYPED_TEST_P"
                        | "BENCHMARK_F"
                        | "BENCHMARK_DEFINE_F"
                );
            if forward(node) || test_macro {
                continue;
            }
            defs.push(RawDef {
                kind,
                assigned,
                node,
                name,
                receiver: receiver.map(|r| text_of(r, text).to_string()),
                own: tq.own.get(m.pattern_index).copied().unwrap_or(true),
                pattern: m.pattern_index,
            });
        } else if let (Some((kind, outer)), Some(name)) = (reference, name) {
            // A path segment inside a macro's tokens (`hir::Look::Start`) is reached
            // through its qualifier: kept like any qualified name (outside macros a
            // path's own pattern captures it).
            if weak && text.get(..name.start_byte()).unwrap_or("").ends_with("::") {
                weak = false;
            }
            let n = match reference {
                Some((RefKind::Module, _)) => module_stem(text_of(name, text)),
                // grpc-elixir's `Helloworld.Greeter.Service` stands for service `Greeter`.
                Some((RefKind::Inherit, _)) if lang == Language::Elixir => {
                    let written = text_of(name, text);
                    match written.strip_suffix(".Service") {
                        Some(service) => last_segment(service),
                        None => reference_name(written),
                    }
                }
                // A member named in an indexed access type (`T["_zod"]`).
                Some((RefKind::Key, _)) if name.kind() == "string" => unquote(text_of(name, text)),
                _ => reference_name(text_of(name, text)),
            };
            // A bare identifier followed by one colon names a field, a label or a
            // parameter (`Item { span: s }` in a macro, `x: T`), not a use.
            let labels = weak && {
                let after = text.get(name.end_byte()..).unwrap_or("").trim_start();
                let before = text.get(..name.start_byte()).unwrap_or("");
                after.starts_with(':')
                    && !after.starts_with("::")
                    // `c ? a : b` uses `a`.
                    && !before.trim_end().ends_with('?')
                    // Python: a colon after a name mostly opens a block (`except
                    // CartError:`, `if ready:`); only an annotation at the start of
                    // a statement or in a parameter list labels it.
                    && (lang != Language::Python || {
                        let line = before.rsplit('\n').next().unwrap_or("");
                        let prior = before.trim_end();
                        line.trim().is_empty() || prior.ends_with('(') || prior.ends_with(',')
                    })
            };
            if !n.is_empty() && !labels {
                let own = tq.own.get(m.pattern_index).copied().unwrap_or(true);
                refs.push(RawRef {
                    kind,
                    span: span_of(name),
                    name: n,
                    node: name,
                    outer,
                    own,
                    weak,
                });
            }
        }
        if let Some((route, node)) = http_node {
            http_raw.push(crate::http::RawHttp {
                route,
                node,
                method: http_method,
                url: http_url,
                handler: http_handler,
                absolute_only,
                typed,
                app: http_app,
                callback: http_callback,
            });
        }
        if let (Some(node), Some(prefix), Some(target)) = (mount_node, mount_prefix, mount_target) {
            mounts.push((node, prefix, target));
        }
        if let (Some(node), Some(prefix), Some(target)) = (proxy_node, proxy_prefix, proxy_target) {
            proxies.push((node, prefix, target));
        }
        if let (Some(node), Some(service)) = (grpc_node, grpc_service) {
            let handler = match grpc_method {
                Some(method) => grpc_handler
                    .and_then(|h| crate::http::handler_name(text_of(h, text)))
                    .or_else(|| {
                        // `{ getCart }` and `{ getCart(call) { } }`: the handler has
                        // the rpc's name.
                        (method.kind() == "shorthand_property_identifier"
                            || method
                                .parent()
                                .is_some_and(|p| p.kind() == "method_definition"))
                        .then(|| text_of(method, text).to_string())
                    }),
                // A processor: the value whose type answers every function.
                None => grpc_handler.map(|h| text_of(h, text).to_string()),
            };
            facts.grpc_handlers.push(crate::facts::GrpcHandler {
                service: text_of(service, text).to_string(),
                method: grpc_method
                    .map(|m| text_of(m, text).to_string())
                    .unwrap_or_default(),
                handler,
                span: span_of(node),
            });
        }
        if let (Some((produce, node)), Some(name)) = (topic_node, topic_name) {
            topic_raw.push(crate::http::RawTopic {
                produce,
                node,
                name,
                exchange: topic_exchange,
                by_type: topic_by_type,
                listener: topic_listener,
                binding: topic_binding,
            });
        }
        if let (Some(scope), Some(path)) = (http_scope, http_prefix) {
            http_prefixes.push(crate::http::RawPrefix { scope, path });
        }
        if let (Some(name), Some(value)) = (const_name, const_value) {
            consts.entry(text_of(name, text)).or_default().push(value);
        }
        let bound = match (binding_type, binding_from) {
            // A generic, array, slice or map type: what its values reach, a
            // collection's elements marked (`Item[]` of `Vec<Item>`, see
            // `written_type`).
            (Some(ty), _) if COMPOSITE_TYPES.contains(&ty.kind()) => {
                crate::types::written_type(text_of(ty, text)).map(|t| (t, false))
            }
            // TypeScript: a type parameter stands for its constraint
            // (`<T extends Schema>(s: T)` binds `s` to `Schema`).
            (Some(ty), _) if matches!(lang, Language::TypeScript | Language::Tsx) => {
                let named = match ty.kind() {
                    "union_type" => ts_named_type(ty),
                    _ => Some(ty),
                };
                named.map(|ty| {
                    let written = type_parameter_bound(ty, text).unwrap_or(text_of(ty, text));
                    (binding_type_name(written).to_string(), false)
                })
            }
            (Some(ty), _) => Some((binding_type_name(text_of(ty, text)).to_string(), false)),
            (None, Some(from)) => Some((text_of(from, text).to_string(), true)),
            (None, None) => None,
        };
        if let (Some(name), Some((type_name, derived))) = (binding_name, bound) {
            if !type_name.is_empty() {
                bindings.push(Binding {
                    name: text_of(name, text).to_string(),
                    type_name,
                    span: span_of(name),
                    enclosing: None,
                    derived,
                    element: false,
                    callback: None,
                    generics: None,
                });
            }
        }
        if let (Some(name), Some(of), Some(scope)) = (element_name, element_of, element_scope) {
            match element_source(text_of(of, text)) {
                // `for x in shop.items`: `x.m()` is reached as an element of
                // `shop.items` (see `build_references`).
                // (A declaration holds from its name to the end of its block.)
                Some(ElementSource::Path(path)) => elements.push(Element {
                    name: text_of(name, text),
                    path,
                    at: name.start_byte() as u32,
                    from: if BLOCKS.contains(&scope.kind()) {
                        name.start_byte() as u32
                    } else {
                        scope.start_byte() as u32
                    },
                    to: scope.end_byte() as u32,
                }),
                // `for x in shop.items()`: what the call returns, element by element.
                Some(ElementSource::Call(callee)) => bindings.push(Binding {
                    name: text_of(name, text).to_string(),
                    type_name: callee.to_string(),
                    span: span_of(name),
                    enclosing: None,
                    derived: false,
                    element: true,
                    callback: None,
                    generics: None,
                }),
                None => {}
            }
        }
        if let (Some(name), Some(function)) = (callback_name, callback_function) {
            callbacks.extend(callback_binding(name, function, text));
        }
        if let (Some(node), Some(name)) = (container, container_name) {
            containers.push(RawContainer {
                span: span_of(node),
                name: text_of(name, text).to_string(),
            });
        }
        if let Some(node) = import {
            let span = span_of(node);
            let entry = match imports.iter_mut().find(|i| i.span == span) {
                Some(e) => e,
                None => {
                    imports.push(RawImport {
                        span,
                        ..RawImport::default()
                    });
                    let last = imports.len() - 1;
                    &mut imports[last]
                }
            };
            if let Some(module) = import_module {
                entry.module = Some(unquote(text_of(module, text)).to_string());
            }
            for n in import_names {
                let n = text_of(n, text).to_string();
                if !entry.names.contains(&n) {
                    entry.names.push(n);
                }
            }
            if let Some(alias) = import_alias {
                entry.alias = Some(text_of(alias, text).to_string());
            }
        }
    }
    drop(matches);
    if interrupt.due() {
        return interrupt.stopped(config, facts.lines);
    }

    // TypeScript: a function assigned to a member (`inst._zod.parse = (p) => ..`) is
    // also a use of the member its receiver's type declares.
    let assigned_members: FxHashSet<u32> = defs
        .iter()
        .filter(|_| matches!(lang, Language::TypeScript | Language::Tsx))
        .filter(|d| {
            d.name.parent().is_some_and(|m| {
                m.kind() == "member_expression"
                    && m.parent().is_some_and(|a| {
                        a.kind() == "assignment_expression"
                            && a.child_by_field_name("left") == Some(m)
                    })
            })
        })
        .map(|d| d.name.start_byte() as u32)
        .collect();
    build_symbols(lang, text, defs, containers, &mut facts);
    if lang == Language::Thrift {
        facts.package = thrift_namespace(text);
    }
    let mut imported: FxHashSet<&str> = imports
        .iter()
        .flat_map(|i| {
            i.names
                .iter()
                .map(|n| last_segment(n))
                .chain(i.alias.as_deref())
        })
        .collect();
    // Python's `import os.path` binds `os`.
    if lang == Language::Python {
        imported.extend(
            imports
                .iter()
                .filter(|i| i.names.is_empty() && i.alias.is_none())
                .filter_map(|i| i.module.as_deref()?.split('.').next()),
        );
    }
    // A Rust `use` tree names what it imports inside its path
    // (`crate::{hir::{self, Hir}}`): every name in it.
    if lang == Language::Rust {
        for m in imports.iter().filter_map(|i| i.module.as_deref()) {
            imported.extend(
                m.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty() && !matches!(*w, "crate" | "self" | "super" | "as")),
            );
        }
    }
    // Uses of a template's parameters inside it name no definition.
    if !template_params.is_empty() {
        refs.retain(|r| {
            !template_params
                .iter()
                .any(|(name, scope)| *name == r.name && scope.contains(&r.span))
        });
    }
    // TypeScript: the types a type alias stands for (`type State = A | B`, `= A & B`,
    // `= A`) are where its members are found: its bases.
    if matches!(lang, Language::TypeScript | Language::Tsx) {
        for r in refs.iter_mut() {
            if r.kind == RefKind::Type && alias_constituent(r.node) {
                r.kind = RefKind::Inherit;
            }
        }
    }
    // A Go package is one scope over all its files: a bare name may be defined by any
    // of them (resolution keeps such names within the package's directory), except
    // the names of the packages the file imports (`errors` of `errors.New`).
    let package_scope = (lang == Language::Go).then(|| {
        imports
            .iter()
            .filter(|i| i.alias.is_none())
            .filter_map(|i| i.module.as_deref())
            .map(|m| m.rsplit('/').next().unwrap_or(m))
            .collect::<FxHashSet<&str>>()
    });
    build_references(
        text,
        refs,
        (&imported, package_scope.as_ref()),
        (&locals, &elements),
        &assigned_members,
        &mut facts,
    );
    for defs in consts.values_mut() {
        defs.sort_by_key(|d| d.start_byte());
        defs.dedup_by_key(|d| d.id());
    }
    facts.http = crate::http::build(http_raw, http_prefixes, &consts, text, &span_of);
    facts
        .http
        .extend(crate::http::proxies(proxies, &consts, text, &span_of));
    facts.http.sort_by_key(|h| h.span.start_byte);
    facts.topics = crate::http::topics(topic_raw, &consts, text, &span_of);
    facts.constants = crate::http::url_constants(&consts, text);
    facts.constants.extend(crate::http::argument_constants(
        &url_arguments,
        &consts,
        text,
    ));
    facts
        .constants
        .extend(crate::http::client_bases(&client_bases, &consts, text));
    facts
        .constants
        .extend(crate::objects::returned_urls(&value_methods, &consts, text));
    facts.passed = crate::http::passed_arguments(&call_values, &consts, text, &span_of);
    facts.connections = crate::connections::connections(&store_addresses, &consts, text, &span_of);
    for c in &mut facts.connections {
        c.enclosing = innermost_symbol(&facts.symbols, &c.span);
    }
    for p in &mut facts.passed {
        p.enclosing = innermost_symbol(&facts.symbols, &p.span);
        p.reference = facts
            .references
            .iter()
            .position(|r| r.name == p.callee && p.span.contains(&r.span))
            .map(|i| i as u32);
    }
    facts.rpc_addresses = rpc_addresses
        .into_iter()
        .map(|node| crate::facts::RpcAddress {
            value: crate::http::unpassed(crate::http::eval(node, text, &consts, 0)),
            span: span_of(node),
            enclosing: None,
        })
        .filter(|a| a.value != "{}")
        .collect();
    for a in &mut facts.rpc_addresses {
        a.enclosing = innermost_symbol(&facts.symbols, &a.span);
    }
    for t in &mut facts.topics {
        t.enclosing = facts
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.contains(&t.span) || s.span.start_byte == t.span.end_byte)
            .max_by_key(|(_, s)| s.span.start_byte)
            .map(|(i, _)| i as u32);
    }
    for h in &mut facts.http {
        // A route's handler, when named and defined here; else what encloses it.
        let named = h.handler.as_ref().and_then(|name| {
            facts
                .symbols
                .iter()
                .position(|s| &s.name == name && s.kind.is_callable())
        });
        h.enclosing = named.map(|i| i as u32).or_else(|| {
            facts
                .symbols
                .iter()
                .enumerate()
                .filter(|(_, s)| s.span.contains(&h.span))
                .max_by_key(|(_, s)| s.span.start_byte)
                .map(|(i, _)| i as u32)
        });
    }
    // A callback's parameter that holds an element (`xs.forEach((x) => ..)`) is typed
    // as one.
    callbacks.retain(|c| {
        !elements.iter().any(|e| e.at == c.span.start_byte)
            && !bindings
                .iter()
                .any(|b| b.span.start_byte == c.span.start_byte)
    });
    bindings.extend(callbacks);
    build_bindings(bindings, &mut facts);
    facts.imports = imports
        .into_iter()
        .filter_map(|i| {
            Some(Import {
                module: i.module?,
                names: i.names,
                alias: i.alias,
                span: i.span,
            })
        })
        .collect();
    facts.imports.sort_by_key(|i| i.span.start_byte);
    facts.mounts = crate::http::mounts(mounts, &facts.imports, &consts, text, &span_of);
    if lang == Language::Php {
        php_paths(&mut facts);
    }
    if lang == Language::Lua {
        lua_method_qualifiers(&mut facts, text);
    }
    if lang == Language::Scala {
        scala_imports(&mut facts);
        // ScalaPB: `XGrpc.blockingStub(channel)` makes an `XStub`.
        for b in &mut facts.bindings {
            if let Some(service) = b.type_name.strip_suffix("Grpc") {
                b.type_name = format!("{service}Stub");
            }
        }
    }
    if lang == Language::Thrift {
        // `include "idl/common.thrift"` names its types `common.Book`.
        for import in &mut facts.imports {
            let file = import.module.rsplit('/').next().unwrap_or(&import.module);
            import.alias = file.strip_suffix(".thrift").map(str::to_string);
        }
    }
    if lang == Language::Rust {
        let regions = item_macro_bodies(root, text);
        if !regions.is_empty() && !interrupt.due() {
            merge_macro_items(&mut facts, &regions, text, config);
        }
        crate::cfg::apply(&mut facts, root, text);
    }
    facts
}

/// The bodies (between the delimiters) of top-level macro invocations whose tokens
/// are items: `cfg_rt! { pub fn spawn() ... }`, `pin_project! { pub struct X { .. } }`,
/// `wrap![ #[macro_export] macro_rules! m { .. } ];`.
fn item_macro_bodies(root: Node<'_>, text: &str) -> Vec<(usize, usize)> {
    const ITEM_STARTS: [&str; 17] = [
        "pub",
        "fn",
        "struct",
        "enum",
        "impl",
        "mod",
        "use",
        "trait",
        "type",
        "const",
        "static",
        "#[",
        "async",
        "unsafe",
        "extern",
        "//",
        "macro_rules!",
    ];
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for item in root.named_children(&mut cursor) {
        let invocation = match item.kind() {
            "macro_invocation" => item,
            "expression_statement" => match item.named_child(0) {
                Some(m) if m.kind() == "macro_invocation" => m,
                _ => continue,
            },
            _ => continue,
        };
        let Some(tree) = invocation
            .named_children(&mut invocation.walk())
            .find(|c| c.kind() == "token_tree")
        else {
            continue;
        };
        let (start, end) = (tree.start_byte() + 1, tree.end_byte().saturating_sub(1));
        let Some(body) = text.get(start..end) else {
            continue;
        };
        if !text[tree.start_byte()..].starts_with(['{', '[', '(']) {
            continue;
        }
        let first = body.trim_start();
        if ITEM_STARTS.iter().any(|k| first.starts_with(k)) {
            out.push((start, end));
        }
    }
    out
}

/// Adds the items inside macro bodies to `facts`: the bodies are parsed as Rust on
/// their own (everything else blanked, so positions stay the file's), and their
/// definitions, references, imports and bindings join the file's, replacing the
/// bare tokens the file's parse saw there.
fn merge_macro_items(
    facts: &mut FileFacts,
    regions: &[(usize, usize)],
    text: &str,
    config: &ExtractConfig,
) {
    let inside = |at: usize| regions.iter().any(|(s, e)| *s <= at && at < *e);
    let mut bytes = text.as_bytes().to_vec();
    for (i, b) in bytes.iter_mut().enumerate() {
        if *b != b'\n' && !inside(i) {
            *b = b' ';
        }
    }
    // Blanking whole bytes keeps the text UTF-8 outside; inside it is the file's.
    let Ok(padded) = String::from_utf8(bytes) else {
        return;
    };
    let inner = extract_with(Language::Rust, &padded, config);
    if inner.symbols.is_empty() && inner.imports.is_empty() {
        return;
    }
    let offset = facts.symbols.len() as u32;
    facts
        .references
        .retain(|r| !inside(r.span.start_byte as usize));
    facts
        .inactive
        .extend(inner.inactive.iter().map(|i| i + offset));
    facts.symbols.extend(inner.symbols.into_iter().map(|mut s| {
        s.parent = s.parent.map(|p| p + offset);
        s
    }));
    facts
        .references
        .extend(inner.references.into_iter().map(|mut r| {
            r.enclosing = r.enclosing.map(|e| e + offset);
            r
        }));
    facts.references.sort_by_key(|r| r.span.start_byte);
    facts.imports.extend(inner.imports);
    facts.imports.sort_by_key(|i| i.span.start_byte);
    facts
        .bindings
        .extend(inner.bindings.into_iter().map(|mut b| {
            b.enclosing = b.enclosing.map(|e| e + offset);
            b
        }));
}

/// `text` with every preprocessor directive line (`#if`, `#endif`, `#region`, ...)
/// replaced by spaces of the same length.
fn blank_directives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('#') {
            let body = line.trim_end_matches(['\n', '\r']);
            out.extend(std::iter::repeat_n(' ', body.len()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// TypeScript generic call signatures on their own lines, members of an interface
/// or object type (`): Curried` then `<Recipe extends F>(recipe: Recipe): R`): the
/// grammar reads the `<` as type arguments of the type before it and loses the rest
/// of the file. The whitespace right before such a `<` becomes the `;` that ends the
/// member before (offsets kept). `None` when there is none.
fn separate_call_signatures(text: &str) -> Option<String> {
    let mut bytes: Option<Vec<u8>> = None;
    let mut previous_code: &str = "";
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if indent > 0 && trimmed.starts_with('<') && opens_type_parameters(&trimmed[1..]) {
            let ends_type = previous_code.chars().next_back().is_some_and(|c| {
                c.is_alphanumeric() || matches!(c, '_' | '$' | ')' | ']' | '>' | '}')
            });
            if ends_type && !previous_code.ends_with("=>") {
                bytes.get_or_insert_with(|| text.as_bytes().to_vec())[offset + indent - 1] = b';';
            }
        }
        let comment =
            trimmed.starts_with("//") || trimmed.starts_with('*') || trimmed.starts_with("/*");
        if !trimmed.is_empty() && !comment {
            previous_code = trimmed;
        }
        offset += line.len();
    }
    // Only ASCII whitespace was replaced by an ASCII byte: still UTF-8.
    bytes.and_then(|b| String::from_utf8(b).ok())
}

/// Whether `rest` (after a `<`) opens type parameters: a name, then `extends`, `,`,
/// `=` or `>`.
fn opens_type_parameters(rest: &str) -> bool {
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    if name_len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let after = rest[name_len..].trim_start();
    after.starts_with("extends ") || after.starts_with([',', '>', '='])
}

/// C and C++ `text` with the annotation macros the grammar cannot place replaced by
/// spaces (offsets kept; macros are never expanded): an export macro between
/// `class`/`struct`/`union` and the name (`class LEVELDB_EXPORT DB`), an attribute
/// after a declarator or a parameter list (`int total GUARDED_BY(mu);`,
/// `Status Recover() EXCLUSIVE_LOCKS_REQUIRED(mutex_);`), and a macro alone on its
/// line (`ABSL_NAMESPACE_BEGIN`). Macros are told by their ALL_CAPS names; string
/// literals, comments and directives are left alone.
fn blank_annotation_macros(text: &str) -> String {
    const STATEMENT_WORDS: &[&[u8]] = &[
        b"return",
        b"case",
        b"goto",
        b"throw",
        b"new",
        b"delete",
        b"sizeof",
        b"else",
        b"do",
        b"co_return",
        b"co_yield",
        b"co_await",
        b"typedef",
        b"using",
        b"namespace",
    ];
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let skip_ws = |mut j: usize| {
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        j
    };
    let macro_like = |w: &[u8]| {
        w.len() >= 3
            && w.iter().any(u8::is_ascii_uppercase)
            && w.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
            && !w[0].is_ascii_digit()
    };
    // The two tokens before the current one: (is a word, its bytes or punctuation).
    let mut prev: (bool, &[u8]) = (false, b"\n");
    let mut prev2: (bool, &[u8]) = (false, b"\n");
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            prev2 = prev;
            prev = (false, b"\n");
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        // Comments, literals and directives are skipped whole.
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            prev2 = prev;
            prev = (false, b"\"");
            line_start = false;
            continue;
        }
        if c == b'#' && line_start {
            // To the end of the directive, continuation lines too.
            while i < b.len() && !(b[i] == b'\n' && b[i - 1] != b'\\') {
                i += 1;
            }
            continue;
        }
        let was_line_start = line_start;
        line_start = false;
        if !(c.is_ascii_alphabetic() || c == b'_') {
            prev2 = prev;
            prev = (false, &b[i..i + 1]);
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word_byte(b[i]) {
            i += 1;
        }
        let word = &b[start..i];
        if macro_like(word) {
            let mut end = i;
            let open = skip_ws(i);
            let mut args = false;
            if b.get(open) == Some(&b'(') {
                // Balanced, on a bounded stretch.
                let mut depth = 0usize;
                let mut j = open;
                while j < b.len() && j - open < 2_000 {
                    match b[j] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b';' | b'{' | b'}' => break,
                        _ => {}
                    }
                    j += 1;
                }
                if depth == 0 && j < b.len() {
                    end = j + 1;
                    args = true;
                }
            }
            let next_at = skip_ws(end);
            let next = b.get(next_at).copied().unwrap_or(b'\n');
            let next_word_start = next.is_ascii_alphabetic() || next == b'_';
            let after_keyword = prev.0 && matches!(prev.1, b"class" | b"struct" | b"union");
            let declarator = prev.0
                && !STATEMENT_WORDS.contains(&prev.1)
                && (prev2.0 || matches!(prev2.1, b"*" | b"&" | b">"));
            let qualifier =
                prev.0 && matches!(prev.1, b"const" | b"override" | b"final" | b"noexcept");
            let trailing = args
                && (prev.1 == b")" || declarator || qualifier)
                && (matches!(next, b';' | b'{' | b'=' | b',' | b':' | b'\n') || next_word_start);
            let alone = was_line_start && !args && matches!(next, b'\n' | b'\r');
            if (after_keyword && next_word_start) || trailing || alone {
                for byte in &mut out[start..end] {
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                i = end;
                continue;
            }
        }
        prev2 = prev;
        prev = (true, word);
    }
    // Only ASCII bytes were replaced by spaces: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn first_error_line(root: Node<'_>) -> Option<u32> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_position().row as u32 + 1);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'' || c == '`')
}

/// The constraint of the TypeScript type parameter `ty` names, if a declaration
/// around it declares one (`T` of `function f<T extends Schema>(s: T)`, or of the
/// class): the constraint's text (`Schema`).
fn type_parameter_bound<'t>(ty: Node<'_>, text: &'t str) -> Option<&'t str> {
    if ty.kind() != "type_identifier" {
        return None;
    }
    let name = text_of(ty, text);
    let mut at = ty.parent();
    for _ in 0..32 {
        let node = at?;
        if let Some(params) = node.child_by_field_name("type_parameters") {
            let mut c = params.walk();
            for p in params.named_children(&mut c) {
                if p.child_by_field_name("name").map(|n| text_of(n, text)) == Some(name) {
                    let constraint = p.child_by_field_name("constraint")?;
                    return constraint.named_child(0).map(|t| text_of(t, text));
                }
            }
        }
        at = node.parent();
    }
    None
}

/// The one named type a TypeScript type stands for: a name itself (`State`,
/// `ns.State`), a generic's name (`Box` of `Box<T>`), and in a union the one named
/// type beside `undefined`, `null`, literals and the language's own types
/// (`undefined | ImmerState`). None for anything else: object, array and function
/// types, a union of several named types.
fn ts_named_type(ty: Node<'_>) -> Option<Node<'_>> {
    match ty.kind() {
        "type_annotation" | "parenthesized_type" => ts_named_type(ty.named_child(0)?),
        "type_identifier" | "nested_type_identifier" => Some(ty),
        "generic_type" => ty.child_by_field_name("name"),
        "union_type" => {
            let mut named = None;
            let mut unions = vec![ty];
            while let Some(union) = unions.pop() {
                let mut c = union.walk();
                for part in union.named_children(&mut c) {
                    match part.kind() {
                        "union_type" => unions.push(part),
                        "literal_type" | "predefined_type" => {}
                        _ if named.replace(part).is_some() => return None,
                        _ => {}
                    }
                }
            }
            named.and_then(ts_named_type)
        }
        _ => None,
    }
}

/// Whether a TypeScript type name is what a type alias stands for, or one of the
/// types of a union or intersection it stands for (`A` and `B` of `type S = A | B<T>`).
fn alias_constituent(name: Node<'_>) -> bool {
    let mut at = name;
    if let Some(p) = at.parent().filter(|p| {
        matches!(p.kind(), "generic_type" | "nested_type_identifier")
            && p.child_by_field_name("name") == Some(at)
    }) {
        at = p;
    }
    for _ in 0..64 {
        let Some(parent) = at.parent() else {
            return false;
        };
        match parent.kind() {
            "union_type" | "intersection_type" | "parenthesized_type" => at = parent,
            "type_alias_declaration" => return parent.child_by_field_name("value") == Some(at),
            _ => return false,
        }
    }
    false
}

/// The type an object literal's key (`name`: a pair's key or a shorthand property) is
/// written for, as the syntax shows it (TypeScript; see [`literal_type`]): the type's
/// simple name (`State` of `ns.State`), then the keys of the literals it is nested
/// under (`Options.retry`); none when the literal has no such type.
fn key_type(name: Node<'_>, text: &str) -> Option<String> {
    let parent = name.parent()?;
    // `T["_zod"]["def"]`: a member of the type indexed, written `T._zod` for `def`.
    if parent.kind() == "literal_type" {
        let lookup = parent.parent().filter(|l| l.kind() == "lookup_type")?;
        return lookup_path(lookup.named_child(0)?, text, 0);
    }
    let object = if parent.kind() == "pair" {
        parent.parent()?
    } else {
        parent
    };
    literal_type(object, text, 0)
}

/// The call `argument` is passed to, written `add(0)@B`: the callee's name, the
/// argument's position, B where the callee's name starts (a call's or `new`'s).
fn written_call(argument: Node<'_>, text: &str) -> Option<String> {
    let arguments = argument.parent().filter(|a| a.kind() == "arguments")?;
    let call = arguments.parent()?;
    let callee = match call.kind() {
        "call_expression" => call.child_by_field_name("function")?,
        "new_expression" => call.child_by_field_name("constructor")?,
        _ => return None,
    };
    let callee = match callee.kind() {
        "identifier" => callee,
        "member_expression" => callee.child_by_field_name("property")?,
        _ => return None,
    };
    let mut c = arguments.walk();
    let position = arguments
        .named_children(&mut c)
        .position(|a| a.id() == argument.id())?;
    Some(format!(
        "{}({position})@{}",
        text_of(callee, text),
        callee.start_byte()
    ))
}

/// A parameter `name` of `function`, a function passed as an argument (see
/// [`Binding::callback`]): bound to the call it is passed to, with what gives the
/// callee its type parameters.
fn callback_binding(name: Node<'_>, function: Node<'_>, text: &str) -> Option<Binding> {
    // A function assigned to a member (`inst._zod.parse = (payload) => ..`): the
    // member, written `parse@B`, B where its name starts; else one passed as an
    // argument (any other function is none).
    let member = function
        .parent()
        .filter(|a| a.kind() == "assignment_expression")
        .and_then(|a| a.child_by_field_name("left"))
        .filter(|m| m.kind() == "member_expression")
        .and_then(|m| m.child_by_field_name("property"))
        .filter(|p| p.kind() == "property_identifier");
    let call = match member {
        Some(p) => format!("{}@{}", text_of(p, text), p.start_byte()),
        None => written_call(function, text)?,
    };
    let parameter = name.parent()?;
    let position = match parameter.kind() {
        "required_parameter" | "optional_parameter" => {
            let list = parameter.parent()?;
            let mut c = list.walk();
            let at = list
                .named_children(&mut c)
                .position(|p| p.id() == parameter.id())?;
            at
        }
        _ => 0,
    };
    let generics = match member {
        Some(_) => None,
        None => call_generics(function.parent()?.parent()?, text),
    };
    Some(Binding {
        name: text_of(name, text).to_string(),
        type_name: call,
        span: span_of(name),
        enclosing: None,
        derived: false,
        element: false,
        callback: Some(position as u32),
        generics,
    })
}

/// What gives the callee of `call` its type parameters (see [`Binding::generics`]):
/// the call's type arguments as written, or the declared type of the value its
/// result is bound to (`const c: Ctor<Item> = init(..)`, through `await` and
/// parentheses).
fn call_generics(call: Node<'_>, text: &str) -> Option<String> {
    if let Some(arguments) = call.child_by_field_name("type_arguments") {
        return Some(text_of(arguments, text).to_string());
    }
    let mut value = call;
    let mut at = value.parent()?;
    while matches!(at.kind(), "await_expression" | "parenthesized_expression") {
        value = at;
        at = at.parent()?;
    }
    if at.kind() != "variable_declarator" || at.child_by_field_name("value") != Some(value) {
        return None;
    }
    let ty = at.child_by_field_name("type")?.named_child(0)?;
    Some(text_of(ty, text).to_string())
}

/// The type an indexed access type reaches (`T._zod` of `T["_zod"]`), its simple
/// name then the members indexed; None through anything but names and string keys.
fn lookup_path(ty: Node<'_>, text: &str, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    match ty.kind() {
        "type_identifier" => Some(text_of(ty, text).to_string()),
        "nested_type_identifier" => {
            Some(text_of(ty.child_by_field_name("name")?, text).to_string())
        }
        "generic_type" => lookup_path(ty.child_by_field_name("name")?, text, depth + 1),
        "lookup_type" => {
            let key = ty.named_child(1).filter(|k| k.kind() == "literal_type")?;
            let key = key.named_child(0).filter(|k| k.kind() == "string")?;
            let base = lookup_path(ty.named_child(0)?, text, depth + 1)?;
            Some(format!("{base}.{}", unquote(text_of(key, text))))
        }
        _ => None,
    }
}

/// The type the object literal `object` is written for (see [`key_type`]), through
/// `a || {..}`, `a ?? {..}`, either branch of `c ? {..} : {..}` and parentheses; an
/// element of an array literal of a typed array (`const ps: Patch[] = [{..}]`); a
/// literal nested under a key of another (`{ outer: { inner } }`: the type of
/// `outer` in the outer literal's type, written `Outer.outer`). The type's simple
/// name, then the fields.
fn literal_type(object: Node<'_>, text: &str, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let mut value = object;
    let mut element = false;
    let mut at = object.parent()?;
    loop {
        let through = match at.kind() {
            "parenthesized_expression" => true,
            "binary_expression" => {
                at.child_by_field_name("right") == Some(value)
                    && at
                        .child_by_field_name("operator")
                        .is_some_and(|o| matches!(text_of(o, text), "||" | "??"))
            }
            "ternary_expression" => at.child_by_field_name("condition") != Some(value),
            "array" if !element => {
                element = true;
                true
            }
            _ => false,
        };
        if !through {
            break;
        }
        value = at;
        at = at.parent()?;
    }
    let is_value = |n: Node<'_>, field: &str| n.child_by_field_name(field) == Some(value);
    // An argument of a call or `new` (`add({ id })`, `new Cart({ id })`): the type
    // the callee declares for that parameter, known once the callee is resolved:
    // written `add(0)@B`, B where the callee's name starts.
    if at.kind() == "arguments" && !element {
        return written_call(value, text);
    }
    if at.kind() == "pair" && is_value(at, "value") && !element {
        let key = at.child_by_field_name("key")?;
        if key.kind() != "property_identifier" {
            return None;
        }
        let outer = literal_type(at.parent()?, text, depth + 1)?;
        return Some(format!("{outer}.{}", text_of(key, text)));
    }
    let mut ty = match at.kind() {
        "variable_declarator" | "public_field_definition" if is_value(at, "value") => {
            at.child_by_field_name("type")?
        }
        "as_expression" | "satisfies_expression" if at.named_child(0) == Some(value) => {
            at.named_child(1)?
        }
        "arrow_function" if is_value(at, "body") => at.child_by_field_name("return_type")?,
        "return_statement" => {
            let mut f = at;
            for _ in 0..64 {
                f = f.parent()?;
                match f.kind() {
                    "function_declaration"
                    | "function_expression"
                    | "arrow_function"
                    | "method_definition"
                    | "generator_function_declaration"
                    | "generator_function" => break,
                    "class_body" | "program" => return None,
                    _ => {}
                }
            }
            f.child_by_field_name("return_type")?
        }
        _ => return None,
    };
    if ty.kind() == "type_annotation" {
        ty = ty.named_child(0)?;
    }
    // `Promise<State>`: an async function's literal is the promised value.
    fn generic<'t>(ty: Node<'t>, names: &[&str], text: &str) -> Option<Node<'t>> {
        let name = ty
            .child_by_field_name("name")
            .filter(|_| ty.kind() == "generic_type")?;
        if !names.contains(&text_of(name, text)) {
            return None;
        }
        ty.child_by_field_name("type_arguments")?.named_child(0)
    }
    if let Some(promised) = generic(ty, &["Promise"], text) {
        ty = promised;
    }
    if element {
        ty = match ty.kind() {
            "array_type" => ty.named_child(0)?,
            _ => generic(ty, &["Array", "ReadonlyArray"], text)?,
        };
    }
    let ty = ts_named_type(ty)?;
    let written = text_of(ty, text);
    Some(last_segment(written).to_string())
}

/// Type nodes a binding's type is read from whole (see `written_type`): generics,
/// arrays, slices, maps, references to them.
const COMPOSITE_TYPES: &[&str] = &[
    "generic_type",
    "array_type",
    "readonly_type",
    "slice_type",
    "map_type",
    "reference_type",
];

/// The simple name a reference uses: generic arguments dropped, last path segment.
/// The type a binding names: its simple name, except that a type nested in a
/// generated Thrift service keeps the service (`CatalogService.Client`,
/// `InventoryService.Iface`: `Client` alone would say nothing of what it calls).
fn binding_type_name(s: &str) -> &str {
    let s = s.split(['<', '(', '[']).next().unwrap_or(s).trim();
    let simple = last_segment(s);
    let Some(outer) = s[..s.len() - simple.len()].strip_suffix('.') else {
        return simple;
    };
    let service = last_segment(outer);
    if THRIFT_NESTED.contains(&simple) && service.chars().next().is_some_and(char::is_uppercase) {
        &s[outer.len() - service.len()..]
    } else {
        simple
    }
}

/// The types the Thrift compiler nests in a service (`CatalogService.Client`).
pub const THRIFT_NESTED: &[&str] = &["Client", "AsyncClient", "Iface", "AsyncIface", "Processor"];

fn reference_name(s: &str) -> &str {
    let s = s.split(['<', '(', '[']).next().unwrap_or(s);
    last_segment(s)
}

/// The last segment of a module path as written in an import: `cart` of `"./cart"`,
/// `"./cart.js"`, `pkg.cart` or `"example.com/shop/cart"`; empty for `.` or `..`.
pub fn module_stem(s: &str) -> &str {
    let s = unquote(s);
    let s = s.rsplit('/').next().unwrap_or(s);
    let s = ["ts", "tsx", "js", "jsx", "mjs", "cjs"]
        .iter()
        .find_map(|ext| s.strip_suffix(ext).and_then(|r| r.strip_suffix('.')))
        .unwrap_or(s);
    s.rsplit('.').next().unwrap_or(s)
}

fn last_segment(s: &str) -> &str {
    let s = s.trim();
    let cut = s.rfind(['.', ':', '\\', '/']).map_or(0, |i| i + 1);
    &s[cut..]
}

/// Whether a definition of this kind in this language names its members
/// (`mod a { fn b }` gives `a.b`). Packages and namespaces do not.
fn is_qualifying(lang: Language, kind: SymbolKind) -> bool {
    kind != SymbolKind::Module
        || matches!(
            lang,
            Language::Rust
                | Language::TypeScript
                | Language::Tsx
                | Language::Ruby
                | Language::Elixir
        )
}

fn suffix(kind: SymbolKind) -> &'static str {
    if kind == SymbolKind::Module {
        "/"
    } else if kind.is_type() {
        "#"
    } else if kind.is_callable() {
        "()."
    } else {
        "."
    }
}

/// PHP's paths read like the other languages': namespaces and `use` paths with `.`
/// (`Shop\Cart\CartService` is `Shop.Cart.CartService`), qualifiers without `$` and
/// with `.` for `->` (`$this->cart->add()` is `add` through `this.cart`). A property
/// promoted by the constructor (`__construct(private Cart $cart)`) is a field of the
/// class, its type known in every method.
/// Scala's imports, captured whole, as Java's: `import a.b.C` is module `a.b.C`,
/// `import a.b._` and `import a.b.*` are `a.b.*`, and `import a.b.{C, D => E}` (or
/// Scala 3's `D as E`) is one import per selector, a renamed one aliased.
fn scala_imports(facts: &mut FileFacts) {
    let mut out = Vec::new();
    for i in std::mem::take(&mut facts.imports) {
        let body = i.module.trim();
        let body = body.strip_prefix("import").unwrap_or(body).trim();
        let import = |module: String, alias: Option<String>| {
            let names = match &alias {
                Some(_) => vec![module.rsplit('.').next().unwrap_or(&module).to_string()],
                None => Vec::new(),
            };
            Import {
                module,
                names,
                alias,
                span: i.span,
            }
        };
        let wildcard = |m: &str| m == "_" || m == "*";
        for clause in split_outside_braces(body) {
            let clause = clause.trim();
            match clause.split_once('{') {
                Some((prefix, selectors)) => {
                    let prefix = prefix.trim().trim_end_matches('.');
                    for selector in selectors.trim_end_matches('}').split(',') {
                        let selector = selector.trim();
                        let renamed = selector
                            .split_once("=>")
                            .or_else(|| selector.split_once(" as "));
                        match renamed {
                            // `C => _` hides the name.
                            Some((_, alias)) if wildcard(alias.trim()) => {}
                            Some((name, alias)) => out.push(import(
                                format!("{prefix}.{}", name.trim()),
                                Some(alias.trim().to_string()),
                            )),
                            None if wildcard(selector) => {
                                out.push(import(format!("{prefix}.*"), None))
                            }
                            None if !selector.is_empty() => {
                                out.push(import(format!("{prefix}.{selector}"), None))
                            }
                            None => {}
                        }
                    }
                }
                None => {
                    let module = match clause.strip_suffix("._") {
                        Some(package) => format!("{package}.*"),
                        None => clause.to_string(),
                    };
                    if !module.is_empty() {
                        out.push(import(module, None));
                    }
                }
            }
        }
    }
    facts.imports = out;
}

/// `s` split at its commas outside braces.
fn split_outside_braces(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn php_paths(facts: &mut FileFacts) {
    for i in 0..facts.symbols.len() {
        let Some(ctor) = facts.symbols[i].parent.map(|p| p as usize) else {
            continue;
        };
        let (ctor_name, class) = (&facts.symbols[ctor].name, facts.symbols[ctor].parent);
        let (Some(class), true) = (class, ctor_name == "__construct") else {
            continue;
        };
        if facts.symbols[i].kind != SymbolKind::Field {
            continue;
        }
        let owner = &facts.symbols[class as usize];
        let (qualified, descriptor) = (
            format!("{}.{}", owner.qualified_name, facts.symbols[i].name),
            format!("{}{}.", owner.descriptor, facts.symbols[i].name),
        );
        let field = &mut facts.symbols[i];
        field.parent = Some(class);
        field.qualified_name = qualified;
        field.descriptor = descriptor;
        let span = field.span;
        for b in &mut facts.bindings {
            if span.contains(&b.span) {
                b.enclosing = Some(class);
            }
        }
    }
    let dotted = |s: &str| s.trim_start_matches('\\').replace('\\', ".");
    if let Some(p) = facts.package.as_mut() {
        *p = dotted(p);
    }
    for s in &mut facts.symbols {
        if s.kind == SymbolKind::Module {
            s.name = dotted(&s.name);
            s.qualified_name = dotted(&s.qualified_name);
        }
    }
    for i in &mut facts.imports {
        i.module = dotted(&i.module);
    }
    for r in &mut facts.references {
        if let Some(q) = r.qualifier.as_mut() {
            *q = dotted(q)
                .replace("?->", ".")
                .replace("->", ".")
                .replace("::", ".")
                .replace('$', "");
        }
    }
}

/// Lua calls a method with `:` (`client:Search(q)`): the name before the colon is the
/// call's qualifier (a single colon is no path elsewhere, so the generic reading
/// leaves it out).
fn lua_method_qualifiers(facts: &mut FileFacts, text: &str) {
    for r in facts
        .references
        .iter_mut()
        .filter(|r| r.qualifier.is_none())
    {
        let before = text.get(..r.span.start_byte as usize).unwrap_or("");
        let Some(head) = before.strip_suffix(':').filter(|h| !h.ends_with(':')) else {
            continue;
        };
        let path = head.len()
            - head
                .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                .len();
        let q = &head[head.len() - path..];
        if !q.is_empty() && !q.starts_with('.') {
            r.qualifier = Some(q.to_string());
        }
    }
}

/// The namespace a Thrift file declares first (`namespace cpp social.net` gives
/// `social.net`): a file names its namespace once per target language, and the first
/// is the one its contracts are known by.
fn thrift_namespace(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == "namespace").then_some(())?;
        let _scope = words.next()?;
        let name = words.next()?.trim_end_matches(';');
        (!name.is_empty()).then(|| name.to_string())
    })
}

fn build_symbols(
    lang: Language,
    text: &str,
    mut defs: Vec<RawDef<'_>>,
    containers: Vec<RawContainer>,
    facts: &mut FileFacts,
) {
    // One definition per name node: our patterns win over the grammar crate's, and
    // among either, the first pattern.
    defs.sort_by_key(|d| (d.name.start_byte(), d.name.end_byte(), !d.own, d.pattern));
    defs.dedup_by_key(|d| (d.name.start_byte(), d.name.end_byte()));

    // Package-level modules name the file's package.
    if let Some(pkg) = defs
        .iter()
        .find(|d| d.kind == SymbolKind::Module && !is_qualifying(lang, d.kind))
    {
        facts.package = Some(text_of(pkg.name, text).trim().to_string());
    }

    // Scopes: definitions and containers, outermost first.
    enum Frame {
        Def(usize),
        Container(String),
    }
    let mut items: Vec<(Span, Frame)> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (span_of(d.node), Frame::Def(i)))
        .chain(
            containers
                .into_iter()
                .map(|c| (c.span, Frame::Container(c.name))),
        )
        .collect();
    items.sort_by(|a, b| {
        a.0.start_byte
            .cmp(&b.0.start_byte)
            .then(b.0.end_byte.cmp(&a.0.end_byte))
            .then(matches!(b.1, Frame::Container(_)).cmp(&matches!(a.1, Frame::Container(_))))
    });

    // (end byte, qualified prefix, descriptor prefix, symbol index)
    let mut stack: Vec<(u32, String, String, Option<u32>)> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (span, frame) in items {
        while stack.last().is_some_and(|top| top.0 <= span.start_byte) {
            stack.pop();
        }
        let (qual_prefix, desc_prefix, parent) = stack
            .last()
            .map(|t| (t.1.clone(), t.2.clone(), t.3))
            .unwrap_or_default();
        match frame {
            Frame::Container(name) => {
                let qual = join(&qual_prefix, &name);
                let desc = format!("{desc_prefix}{name}#");
                stack.push((span.end_byte, qual, desc, parent));
            }
            Frame::Def(i) => {
                let d = &defs[i];
                let name = text_of(d.name, text).trim();
                // Ruby's `attr_reader :host` defines `host`.
                let name = match (lang, name.strip_prefix(':')) {
                    (Language::Ruby, Some(bare)) => bare.to_string(),
                    _ => name.to_string(),
                };
                // An anonymous definition (`enum : uint32_t {`, a bitfield `int : 0;`,
                // an unnamed template parameter) names nothing.
                if !name.chars().any(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                // A field assigned in a method belongs to the innermost enclosing type,
                // defined once: where it is first assigned (or declared in the body).
                let (qual_prefix, desc_prefix, parent) = if d.assigned {
                    let Some(owner) = stack.iter().rev().find(|t| {
                        t.3.is_some_and(|i| facts.symbols[i as usize].kind.is_type())
                    }) else {
                        continue;
                    };
                    let field = format!("{}{}.", owner.2, escape_descriptor(&name));
                    if seen.contains_key(&field) {
                        continue;
                    }
                    (owner.1.clone(), owner.2.clone(), owner.3)
                } else {
                    (qual_prefix, desc_prefix, parent)
                };
                let (qual_prefix, desc_prefix) = match &d.receiver {
                    Some(r) => (join(&qual_prefix, r), format!("{desc_prefix}{r}#")),
                    None => (qual_prefix, desc_prefix),
                };
                // Elixir's `defmodule Shop.Cart`: module `Cart` inside `Shop`.
                let (name, qual_prefix, desc_prefix) = match name.rsplit_once('.') {
                    Some((outer, last)) if lang == Language::Elixir => {
                        let desc = outer.split('.').fold(desc_prefix, |d, segment| {
                            format!("{d}{}/", escape_descriptor(segment))
                        });
                        (last.to_string(), join(&qual_prefix, outer), desc)
                    }
                    _ => (name, qual_prefix, desc_prefix),
                };
                let qualified_name = join(&qual_prefix, &name);
                let mut descriptor = format!(
                    "{desc_prefix}{}{}",
                    escape_descriptor(&name),
                    suffix(d.kind)
                );
                let n = seen.entry(descriptor.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    descriptor = format!("{descriptor}(+{})", *n - 1);
                }
                let index = facts.symbols.len() as u32;
                facts.symbols.push(SymbolDef {
                    name: name.clone(),
                    qualified_name: qualified_name.clone(),
                    kind: d.kind,
                    span,
                    name_span: span_of(d.name),
                    signature: signature_of(lang, d.node, text, d.kind.is_type()),
                    doc: doc_of(lang, d.node, text),
                    parent,
                    descriptor: descriptor.clone(),
                });
                if is_qualifying(lang, d.kind) {
                    stack.push((span.end_byte, qualified_name, descriptor, Some(index)));
                } else {
                    stack.push((span.end_byte, qual_prefix, desc_prefix, parent));
                }
            }
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn escape_descriptor(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// Go's predeclared identifiers: no package defines them.
const GO_PREDECLARED: &[&str] = &[
    "_",
    "any",
    "append",
    "bool",
    "byte",
    "cap",
    "clear",
    "close",
    "comparable",
    "complex",
    "complex128",
    "complex64",
    "copy",
    "delete",
    "error",
    "false",
    "float32",
    "float64",
    "imag",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "iota",
    "len",
    "make",
    "max",
    "min",
    "new",
    "nil",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "rune",
    "string",
    "true",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "uintptr",
];

/// A name holding the elements of a collection reached by a path (`x` of `for x in
/// shop.items`, declared at `at`) in the loop, callback or comprehension `from..to`.
struct Element<'t> {
    name: &'t str,
    path: String,
    at: u32,
    from: u32,
    to: u32,
}

/// Blocks a declaration of an element holds in (`const first = xs[0]`): from the
/// declaration on.
const BLOCKS: &[&str] = &["statement_block", "block", "statement_list"];

/// What a loop or an iterating callback walks (see [`Role::ElementName`]).
enum ElementSource<'t> {
    /// A name or a path of fields: `xs`, `self.items`, `this.#items`.
    Path(String),
    /// A call, by the name of its function: `items` of `shop.items()`.
    Call(&'t str),
}

/// What the collection expression `of` walks: references, dereferences, `await` and
/// adaptors that keep the elements (`.iter()`, `.values()`, `sorted(..)`) taken off.
fn element_source(of: &str) -> Option<ElementSource<'_>> {
    let mut t = of.trim();
    loop {
        let before = t;
        for prefix in ["&mut ", "&", "*", "await "] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_start();
        }
        for suffix in [
            ".iter()",
            ".iter_mut()",
            ".into_iter()",
            ".values()",
            ".values_mut()",
            ".copied()",
            ".cloned()",
            "?",
        ] {
            t = t.strip_suffix(suffix).unwrap_or(t).trim_end();
        }
        for wrapper in ["reversed(", "sorted(", "list(", "tuple(", "Object.values("] {
            if let Some(inner) = t.strip_prefix(wrapper).and_then(|r| r.strip_suffix(')')) {
                t = inner.trim();
            }
        }
        if t == before {
            break;
        }
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '#';
    let path = |p: &str| {
        !p.is_empty()
            && !p.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && !p.ends_with('.')
            && !p.contains("..")
            && p.chars().all(|c| word(c) || c == '.')
    };
    if path(t) {
        return Some(ElementSource::Path(t.to_string()));
    }
    // `shop.items()`, `self.get_items(limit)`: a path called.
    let open = t.find('(')?;
    let (function, args) = (&t[..open], &t[open..]);
    if !path(function) || !args.ends_with(')') || args[1..args.len() - 1].contains(['(', ')']) {
        return None;
    }
    Some(ElementSource::Call(function.rsplit('.').next()?))
}

/// A qualifier whose head holds an element of a collection (`x` of `x.price` inside
/// `for x in shop.items`), read through that collection: `shop.items.[]` (the `[]`
/// segment: one element). Unless the name is bound anew in between.
fn through_element(
    qualifier: String,
    at: u32,
    elements: &[Element<'_>],
    local_at: &FxHashMap<&str, Vec<u32>>,
) -> String {
    if elements.is_empty() {
        return qualifier;
    }
    let head_len = qualifier
        .find(['.', ':', '?', '!', '-'])
        .unwrap_or(qualifier.len());
    let head = &qualifier[..head_len];
    // The innermost loop or callback around `at` naming it.
    let Some(e) = elements
        .iter()
        .filter(|e| e.name == head && e.from <= at && at < e.to)
        .max_by_key(|e| e.from)
    else {
        return qualifier;
    };
    let rebound = local_at
        .get(head)
        .is_some_and(|starts| starts.iter().any(|s| *s > e.at && *s < at));
    let through = format!("{}.[]{}", e.path, &qualifier[head_len..]);
    if rebound || through.len() > MAX_QUALIFIER {
        return qualifier;
    }
    through
}

fn build_references<'t>(
    text: &str,
    mut refs: Vec<RawRef<'t>>,
    (imported, package_scope): (&FxHashSet<&str>, Option<&FxHashSet<&str>>),
    (locals, elements): (&[(&str, u32)], &[Element<'_>]),
    assigned_members: &FxHashSet<u32>,
    facts: &mut FileFacts,
) {
    let mut local_at: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    for (name, at) in locals {
        local_at.entry(name).or_default().push(*at);
    }
    let def_names: FxHashSet<u32> = facts
        .symbols
        .iter()
        .map(|s| s.name_span.start_byte)
        .filter(|at| !assigned_members.contains(at))
        .collect();
    // Bare identifiers stay only when the file defines or imports their name (in Go,
    // when another file of the package may: any name but the language's own); drop
    // the rest before sorting (most identifiers are locals and library names).
    let defined: FxHashSet<&str> = facts.symbols.iter().map(|s| s.name.as_str()).collect();
    refs.retain(|r| {
        !def_names.contains(&r.span.start_byte)
            && (!r.weak
                || defined.contains(r.name)
                || imported.contains(r.name)
                || package_scope.is_some_and(|packages| {
                    !GO_PREDECLARED.contains(&r.name) && !packages.contains(r.name)
                }))
    });
    // One reference per place (patterns may capture a name or the node around it):
    // our patterns win over the grammar crate's, then the most specific kind, then
    // the narrowest capture.
    // (Sorted by index: a reference is large to move.)
    let mut order: Vec<u32> = (0..refs.len() as u32).collect();
    order.sort_by(|a, b| {
        let (a, b) = (&refs[*a as usize], &refs[*b as usize]);
        a.span
            .start_byte
            .cmp(&b.span.start_byte)
            .then(b.own.cmp(&a.own))
            .then(b.kind.rank().cmp(&a.kind.rank()))
            .then(a.weak.cmp(&b.weak))
            .then(a.span.end_byte.cmp(&b.span.end_byte))
    });
    order.dedup_by_key(|i| refs[*i as usize].span.start_byte);
    let mut slots: Vec<Option<RawRef<'t>>> = refs.into_iter().map(Some).collect();
    let refs: Vec<RawRef<'t>> = order
        .iter()
        .filter_map(|i| slots[*i as usize].take())
        .collect();
    drop(slots);

    // Sweep references in order with a stack of enclosing symbols.
    let symbols = &facts.symbols;
    let mut order: Vec<u32> = (0..symbols.len() as u32).collect();
    order.sort_by(|a, b| {
        let (sa, sb) = (&symbols[*a as usize].span, &symbols[*b as usize].span);
        sa.start_byte
            .cmp(&sb.start_byte)
            .then(sb.end_byte.cmp(&sa.end_byte))
    });
    let mut next = 0usize;
    let mut stack: Vec<u32> = Vec::new();
    for RawRef {
        kind,
        span,
        name,
        node,
        outer,
        ..
    } in refs
    {
        while next < order.len() && symbols[order[next] as usize].span.start_byte <= span.start_byte
        {
            let candidate = order[next];
            while stack.last().is_some_and(|top| {
                symbols[*top as usize].span.end_byte <= symbols[candidate as usize].span.start_byte
            }) {
                stack.pop();
            }
            // A field assigned in a method (`self.scheme = url.scheme`) belongs to its
            // class, not to the method around the assignment: what the assignment uses
            // is the method's.
            let s = &symbols[candidate as usize];
            let assigned_inside = s.kind == SymbolKind::Field
                && stack.last().is_some_and(|top| {
                    Some(*top) != s.parent && symbols[*top as usize].span.contains(&s.span)
                });
            if !assigned_inside {
                stack.push(candidate);
            }
            next += 1;
        }
        while stack
            .last()
            .is_some_and(|top| !symbols[*top as usize].span.contains(&span))
        {
            stack.pop();
        }
        let qualifier = if kind == RefKind::Key {
            match key_type(node, text) {
                Some(ty) => Some(ty),
                None => continue,
            }
        } else {
            qualifier_of(node, outer, text)
                .map(|q| through_element(q, span.start_byte, elements, &local_at))
        };
        // A bare name bound earlier in the same definition is that local.
        let shadowed = qualifier.is_none()
            && matches!(kind, RefKind::Call | RefKind::Other)
            && stack.last().is_some_and(|e| {
                let scope = &symbols[*e as usize].span;
                local_at.get(name).is_some_and(|starts| {
                    starts
                        .iter()
                        .any(|s| *s >= scope.start_byte && *s <= span.start_byte)
                })
            });
        if shadowed {
            continue;
        }
        facts.references.push(Reference {
            name: name.to_string(),
            kind,
            span,
            enclosing: stack.last().copied(),
            qualifier,
        });
    }
}

fn build_bindings(mut bindings: Vec<Binding>, facts: &mut FileFacts) {
    bindings.sort_by_key(|b| b.span.start_byte);
    bindings.dedup_by_key(|b| b.span.start_byte);
    for b in &mut bindings {
        // The innermost symbol containing the binding: the latest-starting one.
        // (A variable's own definition does not enclose it: `const cart = new X()`
        // at the top level binds `cart` for the whole file.)
        b.enclosing = facts
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.contains(&b.span) && s.name_span != b.span)
            .max_by_key(|(_, s)| s.span.start_byte)
            .map(|(i, _)| i as u32);
    }
    facts.bindings = bindings;
}

/// Definition kinds whose declarations wrap them (decorators, `export`, Go `type` blocks):
/// doc comments sit before the wrapper.
const WRAPPERS: &[&str] = &[
    "decorated_definition",
    "export_statement",
    "type_declaration",
    "const_declaration",
    "var_declaration",
    "lexical_declaration",
    "variable_declaration",
    "ambient_declaration",
];

fn doc_of(lang: Language, node: Node<'_>, text: &str) -> Option<String> {
    if lang == Language::Python {
        if let Some(doc) = python_docstring(node, text) {
            return Some(doc);
        }
    }
    let mut anchor = node;
    while let Some(parent) = anchor.parent() {
        if WRAPPERS.contains(&parent.kind()) && parent.named_child_count() <= 2 {
            anchor = parent;
        } else {
            break;
        }
    }
    let mut lines: Vec<&str> = Vec::new();
    let mut expected_end_row = anchor.start_position().row;
    let mut sibling = anchor.prev_sibling();
    while let Some(s) = sibling {
        let kind = s.kind();
        if kind == "attribute_item" || kind == "attribute_list" || kind == "decorator" {
            expected_end_row = s.start_position().row;
            sibling = s.prev_sibling();
            continue;
        }
        if !kind.contains("comment") {
            break;
        }
        let end_row = s.end_position().row;
        // Rust line comments include their newline, so they end on the next row.
        let end_row = if text_of(s, text).ends_with('\n') {
            end_row.saturating_sub(1)
        } else {
            end_row
        };
        if end_row + 1 < expected_end_row {
            break;
        }
        let t = text_of(s, text);
        if t.starts_with("//!") || t.starts_with("/*!") {
            break;
        }
        lines.push(t);
        expected_end_row = s.start_position().row;
        sibling = s.prev_sibling();
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    let cleaned: Vec<String> = lines.iter().flat_map(|c| strip_comment(c)).collect();
    finish_doc(cleaned)
}

fn python_docstring(node: Node<'_>, text: &str) -> Option<String> {
    let body = node.child_by_field_name("body")?;
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let s = first.named_child(0)?;
    if s.kind() != "string" {
        return None;
    }
    let raw = text_of(s, text);
    let inner = raw
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_start_matches("\"\"\"")
        .trim_start_matches("'''")
        .trim_end_matches("\"\"\"")
        .trim_end_matches("'''")
        .trim_matches(|c| c == '"' || c == '\'');
    finish_doc(inner.lines().map(|l| l.trim().to_string()).collect())
}

fn strip_comment(comment: &str) -> Vec<String> {
    comment
        .lines()
        .map(|line| {
            let l = line.trim();
            let l = l
                .strip_prefix("///")
                .or_else(|| l.strip_prefix("//"))
                .or_else(|| l.strip_prefix("/**"))
                .or_else(|| l.strip_prefix("/*"))
                .or_else(|| l.strip_prefix('#'))
                .unwrap_or(l);
            let l = l.strip_suffix("*/").unwrap_or(l).trim();
            let l = l.strip_prefix('*').unwrap_or(l);
            l.replace("<summary>", "")
                .replace("</summary>", "")
                .trim()
                .to_string()
        })
        .collect()
}

fn finish_doc(lines: Vec<String>) -> Option<String> {
    let start = lines.iter().position(|l| !l.is_empty())?;
    let end = lines.iter().rposition(|l| !l.is_empty())?;
    let mut doc = lines[start..=end].join("\n");
    if doc.len() > MAX_DOC {
        let mut cut = MAX_DOC;
        while !doc.is_char_boundary(cut) {
            cut -= 1;
        }
        doc.truncate(cut);
        doc.push('…');
    }
    Some(doc)
}

fn signature_of(lang: Language, node: Node<'_>, text: &str, of_type: bool) -> String {
    let limit = if of_type {
        MAX_TYPE_SIGNATURE
    } else {
        MAX_SIGNATURE
    };
    let mut start = node.start_byte();
    // Kotlin: annotations lead the declaration's node and its body has no field name.
    let mut body = node.child_by_field_name("body");
    if lang == Language::Kotlin
        && matches!(node.kind(), "function_declaration" | "class_declaration")
    {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "modifiers"
                    if text
                        .get(child.start_byte()..)
                        .is_some_and(|t| t.starts_with('@')) =>
                {
                    start = child.end_byte();
                }
                "function_body" | "class_body" | "enum_class_body" if body.is_none() => {
                    body = Some(child);
                }
                _ => {}
            }
        }
        while text
            .as_bytes()
            .get(start)
            .is_some_and(u8::is_ascii_whitespace)
        {
            start += 1;
        }
    }
    let end = match body {
        Some(body) if body.start_byte() > start => body.start_byte(),
        _ => text
            .get(start..node.end_byte())
            .and_then(|t| t.find('\n'))
            .map_or(node.end_byte(), |i| start + i),
    };
    let raw = text.get(start..end).unwrap_or("");
    // Only the declaration head: stop at the first line that ends a header.
    let mut out = String::new();
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > limit {
            break;
        }
    }
    let mut sig = out.trim_end_matches(['{', ':', '=']).trim_end().to_string();
    if sig.len() > limit {
        let mut cut = limit;
        while !sig.is_char_boundary(cut) {
            cut -= 1;
        }
        sig.truncate(cut);
        sig.push('…');
    }
    sig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_macros_are_blanked_and_code_kept() {
        // (code, the macro blanked in it, if any)
        let cases = [
            ("class LEVELDB_EXPORT DB {", "LEVELDB_EXPORT"),
            (
                "struct ABSL_DEPRECATED(\"x\") Old {};",
                "ABSL_DEPRECATED(\"x\")",
            ),
            ("  int total GUARDED_BY(mu);", "GUARDED_BY(mu)"),
            (
                "  Status Recover(Edit* e) EXCLUSIVE_LOCKS_REQUIRED(mu_);",
                "EXCLUSIVE_LOCKS_REQUIRED(mu_)",
            ),
            (
                "  void F() const LOCKS_EXCLUDED(mu_) {",
                "LOCKS_EXCLUDED(mu_)",
            ),
            ("ABSL_NAMESPACE_BEGIN\n", "ABSL_NAMESPACE_BEGIN"),
            // Code that only looks like it stays.
            ("static const int MAX_SIZE = 10;", ""),
            ("  return MAX(a, b);", ""),
            ("  LOG_INFO(\"x\");", ""),
            ("#define EXPORT_IT class EXPORT X", ""),
            ("  s = \"class MY_EXPORT X\";", ""),
            ("int f(void) { return ERR_NONE; }", ""),
        ];
        for (code, blanked) in cases {
            let want = if blanked.is_empty() {
                code.to_string()
            } else {
                code.replace(blanked, &" ".repeat(blanked.len()))
            };
            assert_eq!(blank_annotation_macros(code), want, "{code}");
        }
    }

    #[test]
    fn plain_paths_before_a_name_are_its_qualifier() {
        for (before, q) in [
            ("let x = a.b.", Some("a.b")),
            ("f(std::io::", Some("std::io")),
            ("  ::core::option::", Some("::core::option")),
            ("x = self?.", Some("self")),
            ("*self.", Some("self")),
            ("foo().", None),
            ("a[0].", None),
            ("a?.b.", None),
            ("return state!.", Some("state")),
            ("a!.b!.", Some("a!.b")),
            ("val n = x!!.", Some("x")),
            ("@app.", None),
            ("foo\n    .", None),
            ("x: ", None),
        ] {
            assert_eq!(plain_qualifier(before), q, "{before:?}");
        }
        for (before, q) in [
            ("self.items[i].", Some("self.items.[]")),
            ("rows[0][1].", Some("rows.[].[]")),
            ("a.b[key].c.", Some("a.b.[].c")),
            ("by_id[k]->", Some("by_id.[]")),
            ("xs[1:].", None),
            ("xs[1..].", None),
            ("[a, b].", None),
            ("f(x)[0].", None),
        ] {
            assert_eq!(indexed_qualifier(before, 0).as_deref(), q, "{before:?}");
        }
    }

    #[test]
    fn csharp_directives_inside_expressions_do_not_hide_the_class() {
        let text = "class Finalizer\n{\n    void Add(int run\n#if TRACE\n        , int trace\n#endif\n    ) { }\n}\n";
        let facts = extract(Language::CSharp, text);
        let names: Vec<&str> = facts.symbols.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Finalizer", "Add"]);
        assert_eq!(facts.symbols[1].name_span.start_line, 3);
        assert_eq!(blank_directives("a\n#if X\r\nb\n"), "a\n     \r\nb\n");
    }

    #[test]
    fn endpoints_can_be_left_out_without_changing_the_rest() {
        let text = "import requests\nURL = \"http://cart:8080\"\n\n@app.get(\"/cart/<id>\")\ndef cart(id):\n    return requests.get(URL + \"/items\")\n";
        let full = extract(Language::Python, text);
        let bare = extract_with(
            Language::Python,
            text,
            &ExtractConfig {
                endpoints: false,
                ..ExtractConfig::default()
            },
        );
        assert!(!full.http.is_empty());
        assert!(bare.http.is_empty() && bare.topics.is_empty());
        assert_eq!(full.symbols, bare.symbols);
        assert_eq!(full.references, bare.references);
    }

    #[test]
    fn deep_nesting_is_cut_at_a_bound_and_extraction_stays_fast() {
        let depth = 10_000;
        let mut js = String::new();
        for i in 0..depth {
            js.push_str(&format!("function f{i}() {{\n"));
        }
        js.push_str(&"}\n".repeat(depth));
        let started = Instant::now();
        let facts = extract(Language::JavaScript, &js);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert!(facts.symbols.iter().any(|s| s.name == "f0"));
        // Each function is two tree levels: the first MAX_NESTING / 2 are extracted.
        assert!(
            facts.symbols.len() <= MAX_NESTING as usize / 2 + 1,
            "{}",
            facts.symbols.len()
        );
        assert!(
            facts
                .diagnostics
                .iter()
                .any(|d| d.message.contains("nested deeper")),
            "{:?}",
            facts.diagnostics
        );
    }

    #[test]
    fn a_budget_or_a_cancellation_stops_extraction_with_a_diagnostic() {
        let text = "def f():\n    return g()\n".repeat(2000);
        let cancelled = AtomicBool::new(true);
        let config = ExtractConfig {
            cancel: Some(&cancelled),
            ..ExtractConfig::default()
        };
        let facts = extract_with(Language::Python, &text, &config);
        assert!(facts.symbols.is_empty());
        assert!(
            facts.diagnostics[0].message.contains("cancelled"),
            "{:?}",
            facts.diagnostics
        );
        let config = ExtractConfig {
            budget: Some(Duration::ZERO),
            ..ExtractConfig::default()
        };
        let facts = extract_with(Language::Python, &text, &config);
        assert!(facts.symbols.is_empty());
        assert!(
            facts.diagnostics[0].message.contains("budget"),
            "{:?}",
            facts.diagnostics
        );
        assert_eq!(facts.lines, 4000);
        // No limit: everything.
        let facts = extract_with(
            Language::Python,
            &text,
            &ExtractConfig {
                budget: None,
                ..ExtractConfig::default()
            },
        );
        assert_eq!(facts.symbols.len(), 2000);
    }

    /// The HTTP calls and routes of a file, as `METHOD url` lines (a parameter of the
    /// function making the call as what its callers pass: `{ref:f(0,id)}`).
    fn http_lines(lang: Language, text: &str) -> Vec<String> {
        extract(lang, text)
            .http
            .iter()
            .map(|h| format!("{} {}", h.method, h.url))
            .collect()
    }

    #[test]
    fn any_call_whose_argument_evaluates_to_an_absolute_url_is_an_http_call() {
        let js = "var host = process.env.CATALOGUE_HOST || 'catalogue';\nfunction product(sku, cb) {\n  request('http://' + host + ':8080/product/' + sku, cb);\n  got.post(`http://orders:8080/orders`);\n  console.log('hello ' + sku);\n  log('/relative/only');\n  return fetch('http://cart:8080/cart');\n}\n";
        assert_eq!(
            http_lines(Language::JavaScript, js),
            [
                "GET http://{env:CATALOGUE_HOST|catalogue}:8080/product/{ref:product(0,sku)}",
                "POST http://orders:8080/orders",
                "GET http://cart:8080/cart",
            ]
        );
        let py = "import os, requests\nUSER = os.getenv('USER_HOST', 'user')\n\ndef check(id):\n    return requests.get('http://{user}:8080/check/{id}'.format(user=USER, id=id))\n";
        assert_eq!(
            http_lines(Language::Python, py),
            ["GET http://{env:USER_HOST|user}:8080/check/{ref:check(0,id)}"]
        );
    }

    #[test]
    fn php_and_lua_urls_and_their_defaults() {
        let php = "<?php\nclass Cat {\n  private $url;\n  public function __construct() { $this->url = getenv('CAT_URL') ?: 'http://cat:8080'; }\n  public function get($sku) { return curl_init(sprintf('%s/product/%s', $this->url, $sku)); }\n}\n";
        assert_eq!(
            http_lines(Language::Php, php),
            ["GET {env:CAT_URL|http://cat:8080}/product/{}"]
        );
        let lua = "local http = require \"resty.http\"\nlocal function f(id)\n  local httpc = http.new()\n  return httpc:request_uri((os.getenv(\"CART\") or \"http://cart\") .. \"/items/\" .. id, { method = \"POST\" })\nend\n";
        assert_eq!(
            http_lines(Language::Lua, lua),
            ["POST {env:CART|http://cart}/items/{ref:f(0,id)}"]
        );
        // A JavaScript ternary is no `?:` default: which branch is unknown.
        let js =
            "function f(prod) {\n  return fetch((prod ? 'http://a' : 'http://b') + '/x');\n}\n";
        assert_eq!(http_lines(Language::JavaScript, js), ["GET {}/x"]);
    }

    #[test]
    fn python_urls_from_configuration_entries_and_url_keywords() {
        let py = "import os, requests\n\ndef create_app(app):\n    app.config[\"BALANCES_URI\"] = 'http://{}/balances'.format(\n        os.environ.get('BALANCES_API_ADDR'))\n\ndef balance(app, account):\n    fetch_all(url=f'{app.config[\"BALANCES_URI\"]}/{account}')\n    return requests.post(url=app.config[\"BALANCES_URI\"], data={})\n";
        assert_eq!(
            http_lines(Language::Python, py),
            [
                "GET http://{env:BALANCES_API_ADDR}/balances/{ref:balance(1,account)}",
                "POST http://{env:BALANCES_API_ADDR}/balances",
            ]
        );
    }
}
