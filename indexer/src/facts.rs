//! Plain-data facts extracted from one file. Nothing here depends on tree-sitter.

use serde::{Deserialize, Serialize};

/// What kind of definition a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    /// A module, package or namespace.
    Module,
    /// A class (or record).
    Class,
    /// A struct or union.
    Struct,
    /// An interface.
    Interface,
    /// A Rust trait.
    Trait,
    /// An enumeration.
    Enum,
    /// A member of an enumeration.
    EnumMember,
    /// A free function.
    Function,
    /// A method (a function inside a type, impl or trait).
    Method,
    /// A constructor.
    Constructor,
    /// A field of a type.
    Field,
    /// A property (C#).
    Property,
    /// A constant.
    Constant,
    /// A module-level variable.
    Variable,
    /// A type alias or named type definition.
    Type,
    /// A macro.
    Macro,
    /// A protobuf service.
    Service,
    /// A protobuf rpc.
    Rpc,
    /// A protobuf message.
    Message,
}

impl SymbolKind {
    /// Every kind, in a stable order.
    pub const ALL: [SymbolKind; 19] = [
        SymbolKind::Module,
        SymbolKind::Class,
        SymbolKind::Struct,
        SymbolKind::Interface,
        SymbolKind::Trait,
        SymbolKind::Enum,
        SymbolKind::EnumMember,
        SymbolKind::Function,
        SymbolKind::Method,
        SymbolKind::Constructor,
        SymbolKind::Field,
        SymbolKind::Property,
        SymbolKind::Constant,
        SymbolKind::Variable,
        SymbolKind::Type,
        SymbolKind::Macro,
        SymbolKind::Service,
        SymbolKind::Rpc,
        SymbolKind::Message,
    ];

    /// The lowercase name used in output and filters (`method`, `enum_member`, ...).
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Module => "module",
            SymbolKind::Class => "class",
            SymbolKind::Struct => "struct",
            SymbolKind::Interface => "interface",
            SymbolKind::Trait => "trait",
            SymbolKind::Enum => "enum",
            SymbolKind::EnumMember => "enum_member",
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Constructor => "constructor",
            SymbolKind::Field => "field",
            SymbolKind::Property => "property",
            SymbolKind::Constant => "constant",
            SymbolKind::Variable => "variable",
            SymbolKind::Type => "type",
            SymbolKind::Macro => "macro",
            SymbolKind::Service => "service",
            SymbolKind::Rpc => "rpc",
            SymbolKind::Message => "message",
        }
    }

    /// Parses a kind from its name (as printed by [`SymbolKind::name`]).
    pub fn from_name(name: &str) -> Option<SymbolKind> {
        let lower = name.to_ascii_lowercase();
        SymbolKind::ALL.into_iter().find(|k| k.name() == lower)
    }

    /// Whether symbols of this kind are types (they may contain members).
    pub fn is_type(self) -> bool {
        matches!(
            self,
            SymbolKind::Class
                | SymbolKind::Struct
                | SymbolKind::Interface
                | SymbolKind::Trait
                | SymbolKind::Enum
                | SymbolKind::Type
                | SymbolKind::Service
                | SymbolKind::Message
        )
    }

    /// Whether symbols of this kind can be called.
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            SymbolKind::Function
                | SymbolKind::Method
                | SymbolKind::Constructor
                | SymbolKind::Macro
                | SymbolKind::Rpc
        )
    }
}

impl std::fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A region of a file. Lines are 1-based; columns are 0-based UTF-8 byte offsets
/// within the line; bytes are offsets into the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line (1-based).
    pub start_line: u32,
    /// Column of the first byte (0-based, bytes).
    pub start_col: u32,
    /// Last line (1-based).
    pub end_line: u32,
    /// Column just past the last byte (0-based, bytes).
    pub end_col: u32,
    /// Byte offset of the start.
    pub start_byte: u32,
    /// Byte offset just past the end.
    pub end_byte: u32,
}

impl Span {
    /// Whether `other` lies within this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start_byte <= other.start_byte && other.end_byte <= self.end_byte
    }
}

/// A definition found in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolDef {
    /// The simple name (`GetCart`).
    pub name: String,
    /// The container chain joined with `.` (`CartService.GetCart`).
    pub qualified_name: String,
    /// The kind of definition.
    pub kind: SymbolKind,
    /// The whole definition.
    pub span: Span,
    /// The name within the definition.
    pub name_span: Span,
    /// The declaration up to its body, whitespace collapsed, at most a few hundred bytes.
    pub signature: String,
    /// The doc comment or docstring, markers stripped.
    pub doc: Option<String>,
    /// Index of the enclosing symbol in [`FileFacts::symbols`], if any.
    pub parent: Option<u32>,
    /// The symbol's descriptor within its file: the container chain with a suffix per
    /// kind (`CartService#GetCart().`), plus a disambiguator for repeated names. Unique
    /// within a file; the store prefixes it with language, service and path to make
    /// the stable symbol ID.
    pub descriptor: String,
}

/// How a name is used at a reference site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefKind {
    /// A call, instantiation or macro invocation.
    Call,
    /// A use of a type.
    Type,
    /// A name brought in by an import.
    Import,
    /// A base class or super-interface (`extends`).
    Inherit,
    /// An implemented interface or trait (`implements`, `impl T for`).
    Implement,
    /// Any other use.
    Other,
    /// A module or file named by its path in an import (`"./cart"`, `pkg.mail`);
    /// the reference's name is the module's last segment.
    Module,
    /// A macro invocation (`name!(..)` in Rust): it means a macro, never a function
    /// of the same name.
    Macro,
    /// A key of an object literal written for a type the syntax names
    /// (`const s: State = { scope: 1 }`, `return { .. }` in a function declaring its
    /// result, `{ .. } as T`): a member of that type, or nothing. The qualifier is the
    /// type's simple name, then the keys a nested literal is under (`State.scope` for
    /// `inner` in `{ scope: { inner: 1 } }`).
    Key,
}

impl RefKind {
    /// The lowercase name used in output.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Call => "call",
            RefKind::Type => "type",
            RefKind::Import => "import",
            RefKind::Inherit => "inherit",
            RefKind::Implement => "implement",
            RefKind::Other => "other",
            RefKind::Module => "module",
            RefKind::Macro => "macro",
            RefKind::Key => "key",
        }
    }

    /// Parses a kind from its name.
    pub fn from_name(name: &str) -> Option<RefKind> {
        [
            RefKind::Call,
            RefKind::Type,
            RefKind::Import,
            RefKind::Inherit,
            RefKind::Implement,
            RefKind::Other,
            RefKind::Module,
            RefKind::Macro,
            RefKind::Key,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// When two patterns capture the same name, the kind with the higher rank wins.
    pub(crate) fn rank(self) -> u8 {
        match self {
            RefKind::Module => 6,
            RefKind::Import => 5,
            // `m ! (..)` inside a macro's tokens is also a call's pattern.
            RefKind::Implement | RefKind::Inherit | RefKind::Macro => 4,
            RefKind::Call => 3,
            RefKind::Type => 2,
            RefKind::Other | RefKind::Key => 1,
        }
    }
}

impl RefKind {
    /// Whether the reference runs what it names (a call or a macro invocation).
    pub fn runs(self) -> bool {
        matches!(self, RefKind::Call | RefKind::Macro)
    }
}

impl std::fmt::Display for RefKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A use of a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The name used (the last segment for qualified uses).
    pub name: String,
    /// How it is used.
    pub kind: RefKind,
    /// Where the name is.
    pub span: Span,
    /// Index of the innermost enclosing symbol in [`FileFacts::symbols`], if any.
    pub enclosing: Option<u32>,
    /// What the name is reached through, as written: `self` in `self.send()`,
    /// `cs.store` in `cs.store.GetCart()`, `Ledger` in `Ledger::new()`, `errors` in
    /// `errors.New()`. `None` for a bare name.
    pub qualifier: Option<String>,
}

/// A local name whose type the syntax shows: a typed parameter or variable, a Go
/// receiver, `x = Foo(...)`, `new Foo()`, a composite or struct literal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The bound name.
    pub name: String,
    /// The simple name of its type (generic arguments, pointers and references dropped).
    pub type_name: String,
    /// Where the name is bound.
    pub span: Span,
    /// Index of the innermost enclosing symbol in [`FileFacts::symbols`], if any.
    pub enclosing: Option<u32>,
    /// The value is taken from another name of the scope, `type_name`
    /// (`auto client = wrapper->GetClient()`): it holds what that name holds (the
    /// clients of a pool or wrapper). Not a type.
    #[serde(default)]
    pub derived: bool,
    /// The name holds one element of what the call `type_name` returns (`for item in
    /// shop.items():`): typed as that result's elements.
    #[serde(default)]
    pub element: bool,
    /// The name is the parameter at this position of a function passed as an
    /// argument (`inst` and `def` of `init("X", (inst, def) => ..)`): typed as the
    /// callee declares that parameter, `type_name` writing the call as an object
    /// literal's keys do (`init(1)@B`: the argument's position, where the callee's
    /// name starts).
    #[serde(default)]
    pub callback: Option<u32>,
    /// What gives the callee of a [`Binding::callback`] its type parameters: the
    /// call's type arguments as written (`<Item>`), or the type its result is
    /// declared as (`Ctor<Item>` of `const c: Ctor<Item> = init(..)`).
    #[serde(default)]
    pub generics: Option<String>,
}

/// An import statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The imported module, package or path, quotes removed.
    pub module: String,
    /// Names imported from it (`from m import a, b`), if listed.
    pub names: Vec<String>,
    /// The local alias (`import x as y`), if any.
    pub alias: Option<String>,
    /// The whole statement.
    pub span: Span,
}

/// A problem found while reading or parsing a file. Never fatal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line, when the problem has a place.
    pub line: Option<u32>,
    /// What went wrong, lowercase.
    pub message: String,
}

/// Everything extracted from one file. A pure function of (language, text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Package or namespace the file declares (Go `package`, Java `package`,
    /// C# `namespace`, proto `package`), if any.
    pub package: Option<String>,
    /// Definitions, ordered by position.
    pub symbols: Vec<SymbolDef>,
    /// References, ordered by position.
    pub references: Vec<Reference>,
    /// Imports, ordered by position.
    pub imports: Vec<Import>,
    /// Names with a type evident from the syntax, ordered by position.
    pub bindings: Vec<Binding>,
    /// HTTP routes the file declares and HTTP calls it makes.
    pub http: Vec<HttpFact>,
    /// Message topics the file publishes to or consumes from.
    pub topics: Vec<TopicFact>,
    /// gRPC handlers registered by name (`server.addService(X.service, { getCart })`).
    pub grpc_handlers: Vec<GrpcHandler>,
    /// Addresses the file's rpc transports and channels connect to
    /// (`TSocket("catalog", 9090)`, `grpc.insecure_channel(ADDR)`), as evaluated.
    #[serde(default)]
    pub rpc_addresses: Vec<RpcAddress>,
    /// Route tables the file mounts under a path prefix (Django `include`).
    pub mounts: Vec<HttpMount>,
    /// Constants whose values are absolute URLs, by name, for the URLs other files
    /// build from them (`{ref:name}` in their calls).
    pub constants: Vec<NamedValue>,
    /// Paths and URLs the file's calls pass as literal arguments (`callApi("/orders")`):
    /// a function that makes its request with what it is given (`{ref:callApi(0,path)}`
    /// in its URL) makes it, at each such call, with that call's values.
    #[serde(default)]
    pub passed: Vec<PassedArguments>,
    /// Datastores and brokers the file's code connects to, as URLs evaluated
    /// (`mongodb://{env:MONGO_HOST|mongodb}:27017/users`; a client's host option,
    /// `redis.createClient({host: "cache"})`, as `redis://cache`; a MySQL or PDO DSN
    /// as `mysql://db:3306`).
    #[serde(default)]
    pub connections: Vec<RpcAddress>,
    /// Indices, ascending, of the symbols defined under a Rust `#[cfg(..)]` that
    /// does not hold on the default host build (`#[cfg(windows)]`, `#[cfg(doc)]`, a
    /// file's `#![cfg(with_node)]`): answers after the others of the same evidence.
    #[serde(default)]
    pub inactive: Vec<u32>,
    /// Problems found (syntax errors, invalid UTF-8).
    pub diagnostics: Vec<Diagnostic>,
    /// Number of lines.
    pub lines: u32,
}

/// A constant's name and its value as far as the file shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedValue {
    /// The name it is defined under (`CARTS_URL`, an exported object's key).
    pub name: String,
    /// Its value (`http://carts/carts`, `{env:CARTS|http://carts}`).
    pub value: String,
}

/// A route table mounted under a path prefix: Django's
/// `path("api/payments/", include("payments.urls"))` serves every route of the module
/// `payments.urls` under `api/payments/`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpMount {
    /// The prefix as written (`api/payments/`), `{}` for what is not known.
    pub prefix: String,
    /// The mounted module, dotted (`payments.urls`).
    pub target: String,
    /// Where.
    pub span: Span,
}

/// An HTTP route a file declares, or an HTTP call it makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpFact {
    /// Whether it is a route (a handler) or a call.
    pub route: bool,
    /// `GET`, `POST`, ... or `*` (any).
    pub method: String,
    /// The URL or path as far as it can be worked out: literals, constants, template
    /// strings and concatenations, with `{}` for what is not known
    /// (`http://cartservice:8080/cart/{}`, `/cart/{}`), `{env:NAME|default}` for an
    /// environment lookup and, in calls, `{ref:name}` for a constant of another file
    /// whose name says it is an address (`{ref:endpoints.cartsUrl}/items`).
    pub url: String,
    /// Where the route is declared or the call made.
    pub span: Span,
    /// The enclosing symbol (for a route declared by a decorator or annotation: the
    /// handler itself).
    pub enclosing: Option<u32>,
    /// The handler's name, when the route names it (`app.get("/x", getCart)`).
    pub handler: Option<String>,
    /// A call of any function kept because its URL starts with another file's
    /// constant (`request(endpoints.cartsUrl + "/items")`): an HTTP call only if that
    /// constant makes the URL absolute.
    pub absolute_only: bool,
}

/// A message topic (Kafka topic, queue, subject) a file publishes to or consumes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicFact {
    /// Whether it publishes (else consumes).
    pub produce: bool,
    /// The topic's name as far as it can be worked out (constants, env defaults).
    pub topic: String,
    /// Where.
    pub span: Span,
    /// The enclosing symbol (for a listener declared by an annotation: the handler).
    pub enclosing: Option<u32>,
    /// For a binding of a queue to the exchange `topic` (`queueBind`,
    /// `BindingBuilder.bind(queue).to(exchange)`): the queue, as far as it can be
    /// worked out.
    #[serde(default)]
    pub queue: Option<String>,
    /// For a consumer registered with a listener object rather than declared on its
    /// handler (`new MessageListenerAdapter(handler)` for a listener container): the
    /// listener's type and the method that handles the messages (`handleMessage`).
    #[serde(default)]
    pub listener: Option<(String, String)>,
    /// Whether `topic` is the message's type (an event bus keyed by message types:
    /// `Publish(new OrderPaid(..))`, `AddSubscription<OrderPaid, H>()`), not a
    /// destination's name.
    #[serde(default)]
    pub by_type: bool,
}

/// The literal paths and URLs one call passes (see [`FileFacts::passed`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassedArguments {
    /// The function or constructor called, by name (see the `{ref:..}` of its
    /// parameters).
    pub callee: String,
    /// (parameter position or keyword, value as evaluated), in order.
    pub values: Vec<(String, String)>,
    /// The call.
    pub span: Span,
    /// Index of the innermost enclosing symbol, if any.
    pub enclosing: Option<u32>,
    /// Index of the reference naming the callee in [`FileFacts::references`].
    pub reference: Option<u32>,
}

/// An address an rpc client connects to: a Thrift transport's host or a gRPC channel's
/// target, as evaluated (`catalog`, `{env:CATALOG_HOST|catalog}`, `pricing:50051`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcAddress {
    /// The host (and perhaps port) as evaluated.
    pub value: String,
    /// Where it is named.
    pub span: Span,
    /// Index of the innermost enclosing symbol, if any.
    pub enclosing: Option<u32>,
}

/// An rpc handler registered by name, as Node's `@grpc/grpc-js` (`addService`) and
/// Thrift (`createServer`) servers do; or a Thrift processor, whose handler value
/// answers every function of the service (`NewReviewServiceProcessor(handler)`,
/// `ShippingService.Processor(ShippingHandler())`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrpcHandler {
    /// The service as written (`CartService`, `NewReviewServiceProcessor`).
    pub service: String,
    /// The rpc as written (`getCart`); empty for a processor.
    pub method: String,
    /// The handler function's name, when it is one; for a processor, the handler
    /// value as written (`handler`, `ShippingHandler()`, `&ReviewHandler{}`).
    pub handler: Option<String>,
    /// Where it is registered.
    pub span: Span,
}
