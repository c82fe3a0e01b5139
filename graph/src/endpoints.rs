//! Service endpoints a file provides and consumes, as written: the facts cross-service
//! links are made from.
//!
//! Only the file's own facts are read, so endpoints are recomputed with their file
//! and never go stale. What a name means is decided when links are made, against the
//! contracts in the workspace (see the query layer): here a gRPC handler is a member
//! of a type that extends a generated server base (`UnimplementedCartServiceServer`,
//! `CartServiceServicer`, `CartServiceImplBase`, `CartService.CartServiceBase`, a tonic
//! trait), and a gRPC call is a call on a value whose type the syntax shows to be a
//! generated client (`CartServiceClient`, `CartServiceStub`, `CartServiceBlockingStub`,
//! or a service constructed from a loaded package definition).

use std::collections::BTreeMap;

use cartograph_indexer::{FileFacts, HttpMount, Language, RefKind, SymbolKind, THRIFT_NESTED};
use serde::{Deserialize, Serialize};

use crate::links::{impl_target, Endpoint};
use crate::resolve::{
    constructed_type, constructor_type, enclosing_type_name, receiver_type_of, through_derived,
    FileScope,
};

/// Whether a file answers an endpoint or calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A handler.
    Provides,
    /// A call site.
    Consumes,
}

/// The protocol of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// gRPC, described by a `.proto` service.
    Grpc,
    /// HTTP: a route template and method (`via` holds the path or URL, `method` the
    /// HTTP method).
    Http,
    /// A message topic (`via` holds its name): a publisher consumes it like a client,
    /// a subscriber provides its handler.
    Topic,
    /// Apache Thrift, described by a `.thrift` service. Handlers and clients are
    /// recognised like gRPC's (the generated names overlap: `CatalogServiceClient`),
    /// so an endpoint found as gRPC is Thrift when the service it names is a Thrift one.
    Thrift,
}

impl Protocol {
    /// The lowercase name used in output and endpoint keys.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::Http => "http",
            Protocol::Topic => "topic",
            Protocol::Thrift => "thrift",
        }
    }
}

/// One endpoint of a file, as its code names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointFact {
    /// Handler or call site.
    pub role: Role,
    /// Protocol.
    pub protocol: Protocol,
    /// The type the endpoint was recognised through: the server base a handler's type
    /// extends (`UnimplementedCartServiceServer`), or a call's receiver type
    /// (`CartServiceClient`).
    pub via: String,
    /// The method as written (`GetCart`, `getCart`, `get_cart`, `GetCartAsync`).
    pub method: String,
    /// The handler, or the symbol enclosing the call.
    pub symbol: Endpoint,
    /// The call's reference (consumers).
    pub reference: Option<u32>,
    /// Line of the handler's name or of the call (1-based).
    pub line: u32,
    /// Column (0-based bytes).
    pub col: u32,
    /// A call kept only if its URL turns out absolute once the constants of other
    /// files it is built from are known (see [`HttpFact::absolute_only`]).
    pub absolute_only: bool,
    /// A binding's queue (see [`TopicFact::queue`]): what is published to the
    /// exchange is handled where the service consumes that queue.
    #[serde(default)]
    pub queue: Option<String>,
    /// A consumer's handler as a member of the type `reference` names (a listener
    /// container's listener: `ShippingHandler` and `handleMessage`).
    #[serde(default)]
    pub member: Option<String>,
    /// Handlers answered by the members of a type, wherever its service defines them
    /// (`method` is `*`): a C++ class deriving from a server base, whose methods are
    /// defined out of class in other files, or a Thrift processor's handler
    /// (`NewReviewServiceProcessor(handler)`).
    #[serde(default)]
    pub handler_type: Option<String>,
    /// A call whose receiver is a field of the enclosing class declared in another
    /// file (`Class.field`, C++ out-of-class methods, through values taken from it):
    /// the field's declared type, looked up when endpoints are matched, says whether
    /// it is a client (`via` is empty until then).
    #[serde(default)]
    pub receiver_field: Option<String>,
    /// The address an rpc call's client connects to, when its code names one (a
    /// transport or channel made in the same function, or the file's only one):
    /// of several services answering the contract, the one deployed there.
    #[serde(default)]
    pub address: Option<String>,
    /// A topic keyed by the message's type rather than a destination's name (an
    /// event bus: `Publish(new OrderPaid(..))`, `IConsumer<OrderPaid>`).
    #[serde(default)]
    pub message_type: bool,
}

/// The reference to `name` inside `span` (a handler registered by a name the file
/// imports), if the file has one.
fn handler_reference(
    facts: &FileFacts,
    name: Option<&str>,
    span: &cartograph_indexer::Span,
) -> Option<u32> {
    let name = name?;
    facts
        .references
        .iter()
        .position(|r| {
            r.name == name
                && span.start_byte <= r.span.start_byte
                && r.span.end_byte <= span.end_byte
        })
        .map(|i| i as u32)
}

/// The endpoints of one file.
pub(crate) fn endpoints_of(lang: Language, path: &str, scope: &FileScope<'_>) -> Vec<EndpointFact> {
    let facts = scope.facts;
    let mut out = Vec::new();
    if lang == Language::Proto {
        return out;
    }
    if matches!(
        lang,
        Language::JavaScript | Language::TypeScript | Language::Tsx
    ) {
        out.extend(file_routes(path, facts));
    }
    // Handlers: members of types extending a server base. The server bases each
    // type declares, in the order of the references (one pass over them).
    let mut bases: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, r) in facts.references.iter().enumerate() {
        if !server_base(&r.name) {
            continue;
        }
        // Thrift's `implements CatalogService.Iface`: the service is the qualifier.
        let base = match r.qualifier.as_deref() {
            Some(q)
                if THRIFT_NESTED.contains(&r.name.as_str())
                    || SWIFT_SERVICE_PROTOCOLS.contains(&r.name.as_str()) =>
            {
                format!("{}.{}", last_segment(q), r.name)
            }
            _ => r.name.clone(),
        };
        // (An Elixir module `use`s the server of a service.)
        let is_type = |t: usize| {
            facts.symbols.get(t).is_some_and(|s| {
                s.kind.is_type() || (lang == Language::Elixir && s.kind == SymbolKind::Module)
            })
        };
        let declared = r.enclosing.map(|e| e as usize).filter(|e| {
            is_type(*e)
                && (matches!(r.kind, RefKind::Inherit | RefKind::Implement)
                    // Go embeds the generated base in the struct.
                    || (lang == Language::Go && r.kind == RefKind::Type))
        });
        // Rust: `impl Base for Type` names the type after the base.
        let implemented = impl_target(facts, i).map(|target| target.name.as_str());
        for (t, ty) in facts.symbols.iter().enumerate() {
            if Some(t) == declared || (ty.kind.is_type() && implemented == Some(ty.name.as_str())) {
                bases.entry(t).or_default().push(base.clone());
            }
        }
    }
    // A type deriving from one of the file's handler types handles what it does
    // (`class EmailService(BaseEmailService)`, `BaseEmailService(EmailServiceServicer)`),
    // through any number of intermediate classes.
    for _ in 0..8 {
        let mut added = false;
        for r in &facts.references {
            let Some(t) = r.enclosing.map(|e| e as usize).filter(|e| {
                facts.symbols.get(*e).is_some_and(|s| s.kind.is_type())
                    && matches!(r.kind, RefKind::Inherit | RefKind::Implement)
            }) else {
                continue;
            };
            let inherited: Vec<String> = bases
                .iter()
                .filter(|(u, _)| facts.symbols[**u].name == r.name && **u != t)
                .flat_map(|(_, b)| b.iter().cloned())
                .collect();
            if inherited.is_empty() {
                continue;
            }
            let own = bases.entry(t).or_default();
            for b in inherited {
                if !own.contains(&b) {
                    own.push(b);
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    for (t, bases) in bases {
        let ty = &facts.symbols[t];
        for base in bases {
            // C++ defines a class's methods anywhere (out of class, in other files):
            // its members named after the service's functions, wherever the service
            // defines them.
            if matches!(lang, Language::C | Language::Cpp) {
                out.push(EndpointFact {
                    role: Role::Provides,
                    protocol: Protocol::Grpc,
                    via: base,
                    method: "*".to_string(),
                    symbol: Endpoint::Local(t as u32),
                    reference: None,
                    line: ty.name_span.start_line,
                    col: ty.name_span.start_col,
                    absolute_only: false,
                    queue: None,
                    member: None,
                    handler_type: Some(ty.qualified_name.clone()),
                    receiver_field: None,
                    address: None,
                    message_type: false,
                });
                continue;
            }
            let prefix = format!("{}.", ty.qualified_name);
            for (m, member) in facts.symbols.iter().enumerate() {
                let owned = member.parent == Some(t as u32)
                    || member.qualified_name.strip_prefix(&prefix) == Some(member.name.as_str());
                if owned && member.kind.is_callable() {
                    out.push(EndpointFact {
                        role: Role::Provides,
                        protocol: Protocol::Grpc,
                        via: base.clone(),
                        method: member.name.clone(),
                        symbol: Endpoint::Local(m as u32),
                        reference: None,
                        line: member.name_span.start_line,
                        col: member.name_span.start_col,
                        absolute_only: false,
                        queue: None,
                        member: None,
                        handler_type: None,
                        receiver_field: None,
                        address: None,
                        message_type: false,
                    });
                }
            }
        }
    }
    // HTTP routes and calls.
    for h in &facts.http {
        // A route registered with a named handler is shown at the handler's name.
        let at = match (h.route, &h.handler, h.enclosing) {
            (true, Some(name), Some(i)) => facts
                .symbols
                .get(i as usize)
                .filter(|s| &s.name == name)
                .map_or(&h.span, |s| &s.name_span),
            _ => &h.span,
        };
        // A route whose handler is defined elsewhere: the reference naming it.
        let reference = match (h.route, h.enclosing) {
            (true, None) => handler_reference(facts, h.handler.as_deref(), &h.span),
            _ => None,
        };
        // A handler given as a class and a method's name (Laravel's
        // `[UserController::class, 'show']`): that member of the class.
        let (reference, member) = match (reference, h.route, h.enclosing, &h.handler) {
            (None, true, None, Some(name)) => {
                // (The last class named: `Route::get(...)` names one before it.)
                let class = facts.references.iter().rposition(|r| {
                    r.kind == RefKind::Type
                        && h.span.start_byte <= r.span.start_byte
                        && r.span.end_byte <= h.span.end_byte
                });
                match class {
                    Some(c) => (Some(c as u32), Some(name.clone())),
                    None => (None, None),
                }
            }
            (reference, ..) => (reference, None),
        };
        out.push(EndpointFact {
            role: if h.route {
                Role::Provides
            } else {
                Role::Consumes
            },
            protocol: Protocol::Http,
            via: h.url.clone(),
            method: h.method.clone(),
            symbol: h.enclosing.map_or(Endpoint::TopLevel, Endpoint::Local),
            reference,
            line: at.start_line,
            col: at.start_col,
            absolute_only: h.absolute_only,
            queue: None,
            member,
            handler_type: None,
            receiver_field: None,
            address: None,
            message_type: false,
        });
    }
    // gRPC and Thrift handlers registered by name (Node); Thrift processors.
    for g in &facts.grpc_handlers {
        if g.method.is_empty() {
            // `NewReviewServiceProcessor(handler)`, `ShippingService.Processor(h)`; Go's
            // `RegisterDriverServiceServer(srv, h)`, the generated base's service.
            let registered = g
                .service
                .strip_prefix("Register")
                .and_then(|s| s.strip_suffix("Server"))
                .filter(|_| lang == Language::Go);
            let (service, protocol) = match registered {
                Some(service) => (format!("Unimplemented{service}Server"), Protocol::Grpc),
                None => (
                    g.service
                        .strip_prefix("New")
                        .and_then(|s| s.strip_suffix("Processor"))
                        .unwrap_or(&g.service)
                        .to_string(),
                    Protocol::Thrift,
                ),
            };
            let Some(ty) = g
                .handler
                .as_deref()
                .and_then(|h| value_type(facts, h, g.span.start_byte))
            else {
                continue;
            };
            out.push(EndpointFact {
                role: Role::Provides,
                protocol,
                via: service,
                method: "*".to_string(),
                symbol: Endpoint::TopLevel,
                reference: None,
                line: g.span.start_line,
                col: g.span.start_col,
                absolute_only: false,
                queue: None,
                member: None,
                handler_type: Some(ty),
                receiver_field: None,
                address: None,
                message_type: false,
            });
            continue;
        }
        let handler = g.handler.as_ref().and_then(|name| {
            facts
                .symbols
                .iter()
                .position(|s| &s.name == name && s.kind.is_callable())
        });
        // At the handler's name when it is defined here, else where it is registered.
        let at = handler.map_or(&g.span, |i| &facts.symbols[i].name_span);
        out.push(EndpointFact {
            role: Role::Provides,
            protocol: Protocol::Grpc,
            via: g.service.clone(),
            method: g.method.clone(),
            symbol: handler.map_or(Endpoint::TopLevel, |i| Endpoint::Local(i as u32)),
            // A handler defined elsewhere (imported): the reference naming it, which
            // the view follows to its definition.
            reference: match handler {
                Some(_) => None,
                None => handler_reference(facts, g.handler.as_deref(), &g.span),
            },
            line: at.start_line,
            col: at.start_col,
            absolute_only: false,
            queue: None,
            member: None,
            handler_type: None,
            receiver_field: None,
            address: None,
            message_type: false,
        });
    }
    // Message topics: publishers call, subscribers handle.
    for t in &facts.topics {
        out.push(EndpointFact {
            role: if t.produce {
                Role::Consumes
            } else {
                Role::Provides
            },
            protocol: Protocol::Topic,
            via: t.topic.clone(),
            method: if t.produce { "publish" } else { "subscribe" }.to_string(),
            symbol: t.enclosing.map_or(Endpoint::TopLevel, Endpoint::Local),
            // A listener's type, as the file names it.
            reference: t.listener.as_ref().and_then(|(ty, _)| {
                facts
                    .references
                    .iter()
                    .position(|r| r.name == *ty)
                    .map(|i| i as u32)
            }),
            line: t.span.start_line,
            col: t.span.start_col,
            absolute_only: false,
            queue: t.queue.clone(),
            member: t.listener.as_ref().map(|(_, m)| m.clone()),
            handler_type: None,
            receiver_field: None,
            address: None,
            message_type: t.by_type,
        });
    }
    // Calls on generated clients.
    for (i, r) in facts.references.iter().enumerate() {
        if r.kind != RefKind::Call || r.qualifier.is_none() {
            continue;
        }
        // grpc-elixir: `Helloworld.Greeter.Stub.say_hello(channel, request)`.
        let elixir_stub = (lang == Language::Elixir)
            .then(|| r.qualifier.as_deref()?.strip_suffix(".Stub"))
            .flatten()
            .map(|service| format!("{}Stub", last_segment(service)));
        let (via, receiver_field) = match receiver_type_of(lang, scope, r) {
            _ if elixir_stub.is_some() => (elixir_stub.unwrap_or_default(), None),
            Some(ty) if client_type(&ty, lang) => (ty, None),
            Some(_) => continue,
            None if matches!(lang, Language::C | Language::Cpp) => {
                match member_receiver(scope, r) {
                    Some(field) => (String::new(), Some(field)),
                    None => continue,
                }
            }
            None => continue,
        };
        out.push(EndpointFact {
            role: Role::Consumes,
            protocol: Protocol::Grpc,
            via,
            method: r.name.clone(),
            symbol: r.enclosing.map_or(Endpoint::TopLevel, Endpoint::Local),
            reference: Some(i as u32),
            line: r.span.start_line,
            col: r.span.start_col,
            absolute_only: false,
            queue: None,
            member: None,
            handler_type: None,
            receiver_field,
            address: rpc_address(facts, r.enclosing),
            message_type: false,
        });
    }
    out
}

/// The address an rpc call made in `enclosing` connects to: the one named there,
/// else the file's only one (a module-level connection).
fn rpc_address(facts: &FileFacts, enclosing: Option<u32>) -> Option<String> {
    let named = |e: Option<u32>| facts.rpc_addresses.iter().filter(move |a| a.enclosing == e);
    if let Some(a) = enclosing.and_then(|e| named(Some(e)).next()) {
        return Some(a.value.clone());
    }
    let first = facts.rpc_addresses.first()?;
    facts
        .rpc_addresses
        .iter()
        .all(|a| a.value == first.value)
        .then(|| first.value.clone())
}

/// The type of a handler value as written: a name bound in the file before `at`
/// (`handler := NewReviewHandler(c)`), or a value built in place (`ShippingHandler()`,
/// `&ReviewHandler{}`, `new InventoryHandler()`).
fn value_type(facts: &FileFacts, value: &str, at: u32) -> Option<String> {
    let value = value.trim().trim_start_matches(['&', '*']);
    if let Some((ty, _)) = value.split_once('{') {
        let ty = last_segment(ty.trim());
        return ty
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
            .then(|| ty.to_string());
    }
    if let Some(ty) = constructed_type(value) {
        return Some(ty);
    }
    facts
        .bindings
        .iter()
        .rfind(|b| b.name == value && !b.derived && b.span.start_byte < at)
        .map(|b| constructor_type(&b.type_name))
}

/// For a C++ call whose receiver has no type in the file: the field of the
/// enclosing class it is (`Class.field`), when the receiver, or the value it is taken
/// from, reads as a member (`pool_`, `_pool`, `m_pool`, `this->pool`) that no
/// declaration of the file binds. Its type is in the class's header.
fn member_receiver(scope: &FileScope<'_>, r: &cartograph_indexer::Reference) -> Option<String> {
    let q = through_derived(scope, r, r.qualifier.as_deref()?);
    let (name, explicit) = match q.strip_prefix("this->") {
        Some(rest) => (rest, true),
        None => (q.as_str(), false),
    };
    let word = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let member_like = explicit
        || name.ends_with('_')
        || name.starts_with('_')
        || (name.starts_with("m_") && name.len() > 2);
    if !word || !member_like || scope.binds(name) {
        return None;
    }
    Some(format!("{}.{name}", enclosing_type_name(scope, r)?))
}

/// The last segment of a path (`InventoryService` of `com.x.InventoryService`).
fn last_segment(path: &str) -> &str {
    path.rsplit(['.', ':']).next().unwrap_or(path)
}

/// Most prefixes one route table is reached under (mount chains multiply them).
const MAX_MOUNT_PREFIXES: usize = 16;

/// The path prefixes each file's routes are served under because other files mount
/// it (Django `include("payments.urls")` under `path("api/payments/", ...)`), through
/// chains of mounts; empty for a file nobody mounts (its routes stay as written).
/// `files` gives each file's service and workspace path, `mounts` each file's mounts;
/// a mount reaches the files of its own service whose dotted module path ends with
/// its target.
pub fn mount_prefixes(files: &[(&str, &str)], mounts: &[&[HttpMount]]) -> Vec<Vec<String>> {
    let dotted: Vec<String> = files
        .iter()
        .map(|(_, path)| {
            let stem = path.strip_suffix(".py").unwrap_or(path);
            let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
            stem.replace('/', ".")
        })
        .collect();
    // Who mounts each file: (mounting file, prefix).
    let mut mounted_by: Vec<Vec<(usize, &str)>> = vec![Vec::new(); files.len()];
    for (g, file_mounts) in mounts.iter().enumerate() {
        for m in file_mounts.iter() {
            let suffix = format!(".{}", m.target);
            for (f, d) in dotted.iter().enumerate() {
                if f != g && files[f].0 == files[g].0 && (d == &m.target || d.ends_with(&suffix)) {
                    mounted_by[f].push((g, m.prefix.as_str()));
                }
            }
        }
    }
    fn prefixes_of(
        f: usize,
        mounted_by: &[Vec<(usize, &str)>],
        path: &mut Vec<usize>,
    ) -> Vec<String> {
        if mounted_by[f].is_empty() || path.len() > 8 {
            return vec![String::new()];
        }
        path.push(f);
        let mut out = Vec::new();
        for &(g, prefix) in &mounted_by[f] {
            if path.contains(&g) {
                continue;
            }
            for outer in prefixes_of(g, mounted_by, path) {
                let joined = join_paths(&outer, prefix);
                if !out.contains(&joined) && out.len() < MAX_MOUNT_PREFIXES {
                    out.push(joined);
                }
            }
        }
        path.pop();
        out
    }
    (0..files.len())
        .map(|f| {
            if mounted_by[f].is_empty() {
                Vec::new()
            } else {
                prefixes_of(f, &mounted_by, &mut Vec::new())
            }
        })
        .collect()
}

/// `a` then `b` as one path, with one `/` between them.
pub fn join_paths(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{}/{}", a.trim_end_matches('/'), b.trim_start_matches('/')),
    }
}

/// Routes a file declares by its place (Next.js): `pages/api/cart/[id].ts` answers
/// `/api/cart/{}` (any method); `app/api/cart/route.ts` answers `/api/cart` with the
/// methods it exports (`export async function GET`).
fn file_routes(path: &str, facts: &FileFacts) -> Vec<EndpointFact> {
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    let (route, app_router) = if let Some((_, rest)) = stem.split_once("pages/api/") {
        let rest = rest
            .strip_suffix("/index")
            .or_else(|| rest.strip_suffix("index"))
            .unwrap_or(rest);
        (format!("/api/{rest}"), false)
    } else if let Some(dir) = stem.strip_suffix("/route") {
        match dir.split_once("app/") {
            Some((before, rest)) if before.is_empty() || before.ends_with('/') => {
                (format!("/{rest}"), true)
            }
            _ => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    // `[id]` and `[...slug]` are parameters; `(group)` folders are not in the URL.
    let route = route
        .split('/')
        .filter(|s| !(s.starts_with('(') && s.ends_with(')')))
        .map(|s| if s.starts_with('[') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let route = route.trim_end_matches('/').to_string();
    let mut out = Vec::new();
    for (i, s) in facts.symbols.iter().enumerate() {
        let method = if app_router {
            if s.parent.is_some()
                || !matches!(s.name.as_str(), "GET" | "POST" | "PUT" | "DELETE" | "PATCH")
            {
                continue;
            }
            s.name.clone()
        } else if s.parent.is_none() && s.kind.is_callable() && s.name == "handler" {
            "*".to_string()
        } else {
            continue;
        };
        out.push(EndpointFact {
            role: Role::Provides,
            protocol: Protocol::Http,
            via: route.clone(),
            method,
            symbol: Endpoint::Local(i as u32),
            reference: None,
            line: s.name_span.start_line,
            col: s.name_span.start_col,
            absolute_only: false,
            queue: None,
            member: None,
            handler_type: None,
            receiver_field: None,
            address: None,
            message_type: false,
        });
    }
    out
}

/// Whether a base type name can be a generated gRPC server base.
fn server_base(name: &str) -> bool {
    !service_names_of_base(name).is_empty()
}

/// The service names a server base can stand for: `UnimplementedCartServiceServer`
/// (Go), `CartServiceServicer` (Python), `CartServiceImplBase` (Java),
/// `CartServiceBase` (C#), or the service itself (a tonic trait); Thrift's
/// `CatalogService.Iface` (Java, Python) and `CatalogServiceIf` (C++).
pub fn service_names_of_base(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some((outer, nested)) = name.rsplit_once('.') {
        if THRIFT_NESTED.contains(&nested) {
            out.push(last_segment(outer));
        }
        // grpc-swift 2: `Helloworld_Greeter.SimpleServiceProtocol`.
        if SWIFT_SERVICE_PROTOCOLS.contains(&nested) {
            out.push(swift_service(outer));
        }
        return out;
    }
    // grpc-swift 1: `Helloworld_GreeterAsyncProvider`, `Helloworld_GreeterProvider`.
    if let Some(rest) = name
        .strip_suffix("AsyncProvider")
        .or_else(|| name.strip_suffix("Provider"))
    {
        out.push(swift_service(rest));
    }
    if let Some(rest) = name
        .strip_suffix("If")
        .or_else(|| name.strip_suffix("CobSvIf"))
    {
        out.push(rest);
    }
    if let Some(rest) = name
        .strip_prefix("Unimplemented")
        .or_else(|| name.strip_prefix("Unsafe"))
        .and_then(|r| r.strip_suffix("Server"))
    {
        out.push(rest);
    }
    for suffix in ["Servicer", "CoroutineImplBase", "ImplBase", "Base"] {
        if let Some(rest) = name.strip_suffix(suffix) {
            out.push(rest);
        }
    }
    if name.chars().next().is_some_and(char::is_uppercase) {
        out.push(name);
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The protocols grpc-swift 2 generates for a service's server, nested in its
/// namespace (`Helloworld_Greeter.ServiceProtocol`).
const SWIFT_SERVICE_PROTOCOLS: &[&str] = &[
    "ServiceProtocol",
    "SimpleServiceProtocol",
    "StreamingServiceProtocol",
];

/// A service's name without the proto package grpc-swift puts before it
/// (`Greeter` of `Helloworld_Greeter`, of `Shop_V1_Greeter`); other names as given.
fn swift_service(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((package, service))
            if !package.is_empty() && service.starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            service
        }
        _ => name,
    }
}

/// Whether a receiver type can be a generated gRPC client.
fn client_type(ty: &str, lang: Language) -> bool {
    // JavaScript clients are the service constructed from a package definition.
    matches!(
        lang,
        Language::JavaScript | Language::TypeScript | Language::Tsx
    ) || !service_names_of_client(ty).is_empty()
}

/// The service names a client type can stand for: `CartServiceClient` (Go, C#,
/// Rust, Node stubs, Thrift C++ and Go), `CartServiceStub` (Python),
/// `CartServiceBlockingStub` and `CartServiceFutureStub` (Java), Thrift's
/// `CatalogService.Client` (Java, Python), `CatalogServiceConcurrentClient` (C++)
/// and `CatalogServiceClientFactory` (Go's `NewCatalogServiceClientFactory`), or the
/// service itself (a Node client built from a loaded package definition or by
/// `thrift.createClient`).
pub fn service_names_of_client(ty: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some((outer, nested)) = ty.rsplit_once('.') {
        if THRIFT_NESTED.contains(&nested) {
            // (grpc-swift 2's `Helloworld_Greeter.Client` too.)
            out.push(swift_service(last_segment(outer)));
        }
        return out;
    }
    // grpc-swift 1: `Helloworld_GreeterAsyncClient`, `Helloworld_GreeterNIOClient`.
    if let Some(rest) = ty.strip_suffix("NIOClient") {
        out.push(swift_service(rest));
    }
    if ty.contains('_') {
        if let Some(rest) = ty
            .strip_suffix("AsyncClient")
            .or_else(|| ty.strip_suffix("Client"))
        {
            out.push(swift_service(rest));
        }
    }
    for suffix in [
        "BlockingStub",
        "FutureStub",
        "CoroutineStub",
        "Stub",
        "AsyncClient",
        "ConcurrentClient",
        "ClientFactory",
        "ClientProtocol",
        "Client",
    ] {
        if let Some(rest) = ty.strip_suffix(suffix) {
            out.push(rest);
        }
    }
    out.push(ty);
    out.retain(|s| !s.is_empty());
    out
}

/// `value` with its environment variables filled in from `env` (`{env:NAME}` and
/// `{env:NAME|default}`, as the extraction writes them): a variable the deployment
/// sets gives its value, else its default, else `{}`. Also says whether the
/// deployment's environment was used.
pub fn resolve_env(
    value: &str,
    env: Option<&std::collections::BTreeMap<String, String>>,
) -> (String, bool) {
    let mut out = String::new();
    let mut used = false;
    let mut rest = value;
    while let Some(at) = rest.find("{env:") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 5..];
        // The marker ends at its matching brace (a default may hold `{}`).
        let mut depth = 1;
        let mut end = inner.len();
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let marker = &inner[..end];
        let (name, default) = marker.split_once('|').unwrap_or((marker, "{}"));
        match env.and_then(|e| e.get(name)) {
            Some(v) => {
                out.push_str(v);
                used = true;
            }
            None => out.push_str(default),
        }
        rest = inner.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    (out, used)
}

/// A URL or path split into its host (when it names one) and its path template,
/// normalised: `http://cart:8080/cart/:id?x=1` gives (`cart`, `/cart/{}`); parameters
/// in any style (`:id`, `{id}`, `{id:int}`, `<int:id>`, unknown parts) become `{}`.
pub fn split_url(url: &str) -> (Option<String>, String) {
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
            let host = (!host.is_empty() && host != "{}").then_some(host);
            (host, format!("/{path}"))
        }
        None => (None, url.to_string()),
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut raw: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // An unknown base glued to the path's first segment (`${BASE}ai/generate`, the
    // base ending in its slash): that segment is the text after it.
    if let Some(first) = raw.first_mut() {
        if let Some(glued) = first.strip_prefix("{}") {
            if host.is_none() && !url.starts_with('/') && !glued.is_empty() && !glued.contains('{')
            {
                *first = glued;
            }
        }
    }
    let segments: Vec<String> = raw
        .into_iter()
        .map(|s| {
            // `**` stands for any rest of the path (a forwarded prefix).
            if s == "**" {
                return s.to_string();
            }
            let param = s.starts_with(':')
                || (s.starts_with('{') && s.ends_with('}'))
                || (s.starts_with('<') && s.ends_with('>'))
                || s.contains("{}")
                || s == "*";
            if param {
                "{}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    // An unknown base (`${BASE}/cart`) leaves a leading `{}` that is not a segment.
    let segments = match segments.first().map(String::as_str) {
        Some("{}") if !url.starts_with('/') && host.is_none() => segments[1..].to_vec(),
        _ => segments,
    };
    (host, format!("/{}", segments.join("/")))
}

/// Whether two path templates can be the same route (`{}` matches one segment).
pub fn paths_match(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    // A trailing `**` matches the rest: compare the segments before it.
    let rest = |p: &[&str]| p.last() == Some(&"**");
    if rest(&a) || rest(&b) {
        let (n_a, n_b) = (
            a.len() - usize::from(rest(&a)),
            b.len() - usize::from(rest(&b)),
        );
        let n = n_a.min(n_b);
        // The side without `**` must reach at least as far as the other's prefix.
        let fits = match (rest(&a), rest(&b)) {
            (true, false) => n_b >= n_a,
            (false, true) => n_a >= n_b,
            _ => true,
        };
        return fits
            && a[..n]
                .iter()
                .zip(&b[..n])
                .all(|(x, y)| x == y || *x == "{}" || *y == "{}");
    }
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || *x == "{}" || *y == "{}")
}

/// The key a method name is matched by: lowercase without underscores, so that
/// `GetCart`, `getCart` and `get_cart` meet.
pub fn method_key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_base_glued_to_a_segment_keeps_the_segment() {
        assert_eq!(
            split_url("{}ai/generate/description").1,
            "/ai/generate/description"
        );
        assert_eq!(split_url("{}/cart/{}").1, "/cart/{}");
        assert_eq!(split_url("/v1/{}/items").1, "/v1/{}/items");
    }

    #[test]
    fn mounts_chain_their_prefixes_within_a_service() {
        let mount = |prefix: &str, target: &str| HttpMount {
            prefix: prefix.to_string(),
            target: target.to_string(),
            span: cartograph_indexer::Span::default(),
        };
        let files = [
            ("shop", "shop/urls.py"),
            ("shop", "shop/api/urls.py"),
            ("shop", "shop/payments/urls.py"),
            ("other", "other/payments/urls.py"),
            ("shop", "shop/views.py"),
        ];
        let root = [mount("api/", "api.urls")];
        let api = [
            mount("payments/", "payments.urls"),
            mount("v2/pay/", "payments.urls"),
        ];
        let mounts: Vec<&[HttpMount]> = vec![&root, &api, &[], &[], &[]];
        let prefixes = mount_prefixes(&files, &mounts);
        assert!(prefixes[0].is_empty());
        assert_eq!(prefixes[1], ["api/"]);
        assert_eq!(prefixes[2], ["api/payments/", "api/v2/pay/"]);
        // Another service's module of the same name is not mounted.
        assert!(prefixes[3].is_empty());
        assert!(prefixes[4].is_empty());
        assert_eq!(join_paths("api/", "/refunds/{}"), "api/refunds/{}");
    }

    #[test]
    fn generated_names_give_their_service() {
        assert_eq!(
            service_names_of_base("UnimplementedCartServiceServer"),
            ["CartService", "UnimplementedCartServiceServer"]
        );
        assert!(service_names_of_base("CartServiceServicer").contains(&"CartService"));
        assert!(service_names_of_base("CartServiceImplBase").contains(&"CartService"));
        // grpc-swift 1 and 2.
        assert!(service_names_of_base("Shop_V1_CartAsyncProvider").contains(&"Cart"));
        assert!(service_names_of_base("Shop_Cart.SimpleServiceProtocol").contains(&"Cart"));
        assert!(service_names_of_client("Shop_V1_CartAsyncClient").contains(&"Cart"));
        assert!(service_names_of_client("Shop_Cart.Client").contains(&"Cart"));
        assert_eq!(
            service_names_of_client("CatalogService.Client"),
            ["CatalogService"]
        );
        assert!(service_names_of_base("CartServiceBase").contains(&"CartService"));
        assert!(service_names_of_client("CartServiceBlockingStub").contains(&"CartService"));
        assert!(service_names_of_client("CartServiceClient").contains(&"CartService"));
        assert_eq!(method_key("get_cart"), method_key("GetCart"));
        assert_eq!(method_key("getCart"), "getcart");
        assert_eq!(
            split_url("http://cartservice:8080/cart/:id?x=1"),
            (Some("cartservice".to_string()), "/cart/{}".to_string())
        );
        assert_eq!(split_url("/cart/<int:id>/"), (None, "/cart/{}".to_string()));
        assert_eq!(split_url("{}/cart/{id}"), (None, "/cart/{}".to_string()));
        assert_eq!(split_url("http://{}/x"), (None, "/x".to_string()));
        assert!(paths_match("/cart/{}", "/cart/42"));
        let env =
            std::collections::BTreeMap::from([("ADS".to_string(), "http://ads:5000".to_string())]);
        assert_eq!(
            resolve_env("{env:ADS}/x", Some(&env)),
            ("http://ads:5000/x".to_string(), true)
        );
        assert_eq!(
            resolve_env("{env:CART|http://cart}/x", Some(&env)),
            ("http://cart/x".to_string(), false)
        );
        assert_eq!(
            resolve_env("{env:NONE}/x/{}", None),
            ("{}/x/{}".to_string(), false)
        );
        assert!(!paths_match("/cart/{}", "/cart/42/items"));
        assert!(paths_match("/api/ads/**", "/api/ads/{}"));
        assert!(paths_match("/ads/{}", "/ads/**"));
        assert!(!paths_match("/api/ads/**", "/api/cart/1"));
        assert!(!paths_match("/ads/{}/x/y", "/ads"));
    }
}
