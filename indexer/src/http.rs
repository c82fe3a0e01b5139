//! HTTP routes and calls: the captures of the tags queries (`@http.route`,
//! `@http.call`, `@http.method`, `@http.path`/`@http.url`, `@http.handler`,
//! `@http.prefix` on a class), turned into [`HttpFact`]s with their URLs worked out
//! as far as the file shows them.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::facts::{HttpFact, HttpMount, Import, NamedValue, Span, TopicFact};

/// What the query captured for one route or call.
pub(crate) struct RawHttp<'t> {
    pub(crate) route: bool,
    pub(crate) node: Node<'t>,
    pub(crate) method: Option<Node<'t>>,
    pub(crate) url: Option<Node<'t>>,
    pub(crate) handler: Option<Node<'t>>,
    /// A call of any function: an HTTP call only when its URL is absolute
    /// (`http://…`, or an env variable's default that is).
    pub(crate) absolute_only: bool,
    /// A call on a client its registration may give a base address (a .NET typed
    /// client): a relative URL is `{base:Class}/path` (see [`fill_base`]).
    pub(crate) typed: bool,
    /// The application a service-invocation call names (Dapr: `InvokeMethodAsync(
    /// "cart", "api/items")` calls `http://cart/api/items`).
    pub(crate) app: Option<Node<'t>>,
    /// The callback the call hands its client to (`c -> c.target().path("x").get()`):
    /// the request it makes gives the rest of the path and the method.
    pub(crate) callback: Option<Node<'t>>,
}

/// Whether an evaluated URL is absolute: a scheme the services speak, directly or as
/// the default of an env variable (`{env:CART_URL|http://cart:8080}`), with a host.
pub(crate) fn is_absolute_url(url: &str) -> bool {
    let url = url
        .strip_prefix("{env:")
        .and_then(|rest| rest.split_once('|'))
        .map_or(url, |(_, default)| default);
    ["http://", "https://"].iter().any(|s| {
        url.strip_prefix(s).is_some_and(|rest| {
            let named_host = !rest.is_empty() && !rest.starts_with(['/', '{']);
            named_host || rest.starts_with("{env:")
        })
    })
}

/// Whether `url` is a URL whose host is known only at run time but whose path says
/// something (`http://{ref:c.hostPort}/customer`): a request its path can match.
pub(crate) fn hostless_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|s| {
        url.strip_prefix(s)
            .filter(|rest| rest.starts_with('{'))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, path)| {
                path.split(['/', '?'])
                    .next()
                    .is_some_and(|first| !first.is_empty() && !first.contains('{'))
            })
    })
}

/// A class-level path prefix (`@RequestMapping("/api")`, `[Route("api/[controller]")]`).
pub(crate) struct RawPrefix<'t> {
    pub(crate) scope: Node<'t>,
    pub(crate) path: Node<'t>,
}

/// The HTTP method a word names: `get`, `GetMapping`, `HttpPost`, `MapPut`,
/// `postForObject`, `DeleteAsync`; `*` for words naming any (`route`, `HandleFunc`).
pub(crate) fn method_of(word: &str) -> String {
    let w = word
        .trim_matches(|c| c == '"' || c == '\'' || c == '`' || c == ':')
        .to_ascii_lowercase();
    // `HttpPost`, `MapPost`, Go's `MethodPost`.
    let w = w
        .strip_prefix("http")
        .or_else(|| w.strip_prefix("map"))
        .or_else(|| w.strip_prefix("method"))
        .unwrap_or(&w);
    for m in ["get", "post", "put", "delete", "patch", "head", "options"] {
        if w.starts_with(m) {
            return m.to_ascii_uppercase();
        }
    }
    "*".to_string()
}

/// String values of the file's constants (`const BASE = "http://cart:8080"`), for
/// URLs built from them.
/// Each name's definitions in the order of the file.
pub(crate) type Constants<'t> = HashMap<&'t str, Vec<Node<'t>>>;

/// The definition of `name` a use at `at` sees: the last one before it (a local
/// `url` in this method, not the `url` of the method above), else the first; never
/// the use's own node.
fn constant<'t>(consts: &Constants<'t>, name: &str, at: Node<'_>) -> Option<Node<'t>> {
    let defs = consts.get(name)?;
    defs.iter()
        .rev()
        .find(|d| d.start_byte() < at.start_byte() && d.id() != at.id())
        .or_else(|| defs.iter().find(|d| d.id() != at.id()))
        .copied()
}

/// The string an expression evaluates to, as far as the syntax shows: literals,
/// template strings and f-strings, concatenation with `+`, constants of the file,
/// and the default of an environment lookup (`process.env.X ?? "d"`,
/// `os.getenv("X", "d")`). What is not known becomes `{}`.
pub(crate) fn eval(node: Node<'_>, text: &str, consts: &Constants<'_>, depth: usize) -> String {
    if depth > 8 {
        return "{}".to_string();
    }
    let src = node.utf8_text(text.as_bytes()).unwrap_or("");
    match node.kind() {
        // Scala's `s"$base/x"`, `uri"$base/x"`: the string after its interpolator.
        "interpolated_string_expression" if node.child_by_field_name("interpolator").is_some() => {
            let mut c = node.walk();
            let string = node
                .named_children(&mut c)
                .find(|n| n.kind() == "interpolated_string");
            string.map_or("{}".to_string(), |s| eval(s, text, consts, depth + 1))
        }
        // Akka HTTP's path matchers: `"cart" / Segment`.
        "infix_expression"
            if node
                .child_by_field_name("operator")
                .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                == Some("/") =>
        {
            let side = |f: &str| {
                node.child_by_field_name(f)
                    .map_or("{}".to_string(), |n| match n.kind() {
                        "string" => eval(n, text, consts, depth + 1),
                        // `Segment`, `IntNumber`, `JavaUUID`: a path parameter.
                        _ => "{}".to_string(),
                    })
            };
            format!("{}/{}", side("left"), side("right"))
        }
        // Swift's `"\(base)/items"`: its text and interpolations, quotes and `\(`
        // `)` left out.
        "line_string_literal" | "multi_line_string_literal" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "interpolated_expression" => out.push_str(
                        &child
                            .child_by_field_name("value")
                            .map_or("{}".to_string(), |v| eval(v, text, consts, depth + 1)),
                    ),
                    _ => out.push_str(child.utf8_text(text.as_bytes()).unwrap_or("")),
                }
            }
            spring_placeholders(out.trim(), false)
        }
        // Swift: `base + "/x"`, `Environment.get("X") ?? "http://cart"`, `URL(..)!`.
        "additive_expression"
            if node
                .child_by_field_name("op")
                .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                == Some("+") =>
        {
            match (
                node.child_by_field_name("lhs"),
                node.child_by_field_name("rhs"),
            ) {
                (Some(l), Some(r)) => format!(
                    "{}{}",
                    eval(l, text, consts, depth + 1),
                    eval(r, text, consts, depth + 1)
                ),
                _ => "{}".to_string(),
            }
        }
        "nil_coalescing_expression" => either_of(node, "value", "if_nil", text, consts, depth),
        // A Vapor route's path components: `get("carts", ":id", use: show)` is
        // `carts/:id` (labelled arguments are options).
        "value_arguments" => {
            let mut c = node.walk();
            let parts: Vec<String> = node
                .named_children(&mut c)
                .filter(|a| a.kind() == "value_argument" && a.child_by_field_name("name").is_none())
                .map(|a| eval(a, text, consts, depth + 1))
                .collect();
            parts.join("/")
        }
        "postfix_expression" | "value_argument" => {
            let inner = node
                .child_by_field_name("target")
                .or_else(|| node.child_by_field_name("value"));
            inner.map_or("{}".to_string(), |n| eval(n, text, consts, depth + 1))
        }
        "string"
        | "interpolated_string"
        | "interpreted_string_literal"
        | "raw_string_literal"
        | "string_literal"
        | "template_string"
        | "interpolated_string_expression"
        | "encapsed_string"
        | "verbatim_string_literal" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            if children.is_empty() {
                return spring_placeholders(strip_quotes(src), false);
            }
            // Literal text between substitutions, `{}` (or a known constant) for them.
            let mut at = node.start_byte();
            for child in children {
                if child.start_byte() > at {
                    out.push_str(&text[at..child.start_byte()]);
                }
                match child.kind() {
                    // PHP's `"$base/cart/{$this->id}"`.
                    "variable_name" | "member_access_expression" => {
                        out.push_str(&eval(child, text, consts, depth + 1));
                    }
                    "template_substitution" | "interpolation" => {
                        // The expression inside (C# names its braces too).
                        let mut c = child.walk();
                        let inner = child
                            .named_children(&mut c)
                            .find(|n| !n.kind().contains("brace") && !n.kind().contains("start"));
                        out.push_str(&match inner {
                            Some(i) => eval(i, text, consts, depth + 1),
                            None => "{}".to_string(),
                        });
                    }
                    // Content, escapes, quotes: the text as written.
                    _ => out.push_str(child.utf8_text(text.as_bytes()).unwrap_or("")),
                }
                at = child.end_byte();
            }
            if at < node.end_byte() {
                out.push_str(&text[at..node.end_byte()]);
            }
            spring_placeholders(strip_quotes(&out), false)
        }
        "binary_expression" | "binary_operator" => {
            let op = node
                .child_by_field_name("operator")
                .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                .unwrap_or("+");
            let (Some(l), Some(r)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return "{}".to_string();
            };
            match op {
                // PHP concatenates with `.`, Lua with `..`.
                "+" | "." | ".." | "<>" => format!(
                    "{}{}",
                    eval(l, text, consts, depth + 1),
                    eval(r, text, consts, depth + 1)
                ),
                // `process.env.X ?? "default"`, `os.environ.get(...) or "d"`.
                "??" | "||" | "or" => either_of(node, "left", "right", text, consts, depth),
                _ => "{}".to_string(),
            }
        }
        // PHP's `getenv('CART_URL') ?: 'http://cart'` (no middle operand).
        "conditional_expression"
            if node.child_by_field_name("body").is_none()
                && node.child_by_field_name("consequence").is_none() =>
        {
            match (
                node.child_by_field_name("condition"),
                node.child_by_field_name("alternative"),
            ) {
                (Some(l), Some(r)) => either(
                    eval(l, text, consts, depth + 1),
                    eval(r, text, consts, depth + 1),
                ),
                _ => "{}".to_string(),
            }
        }
        // PHP: a call's argument, a variable (`$url`), a class constant (`self::BASE`).
        "argument" => node
            .named_child(node.named_child_count().saturating_sub(1))
            .map_or("{}".to_string(), |n| eval(n, text, consts, depth + 1)),
        "variable_name" => {
            let name = src.trim_start_matches('$');
            match constant(consts, name, node) {
                Some(value) => eval(value, text, consts, depth + 1),
                None => reference(name),
            }
        }
        "class_constant_access_expression" => {
            let own = ["self::", "static::"]
                .iter()
                .find_map(|p| src.strip_prefix(p));
            match own.and_then(|n| constant(consts, n, node)) {
                Some(value) => eval(value, text, consts, depth + 1),
                None => reference(&src.replace("::", ".")),
            }
        }
        // A PHP docblock annotation: `@Route("/rate/{sku}", methods={"PUT"})`,
        // `@Route(path="/x")`.
        "comment" => {
            let Some((_, args)) = src.split_once("@Route(") else {
                return "{}".to_string();
            };
            let args = args.split_once("path=").map_or(args, |(_, rest)| rest);
            args.split('"').nth(1).unwrap_or("{}").to_string()
        }
        // Python `a or b`.
        "boolean_operator" => either_of(node, "left", "right", text, consts, depth),
        // .NET configuration: `configuration["Services:Catalog"]`,
        // `builder.Configuration["CatalogUrl"]`.
        "element_access_expression" => {
            let configuration = node
                .child_by_field_name("expression")
                .and_then(|e| e.utf8_text(text.as_bytes()).ok())
                .map(|e| e.rsplit('.').next().unwrap_or(e).to_ascii_lowercase())
                .is_some_and(|e| e.contains("config"));
            let key = node
                .child_by_field_name("subscript")
                .and_then(|s| s.named_child(0))
                .and_then(|a| a.named_child(0).or(Some(a)))
                .map(|k| eval(k, text, consts, depth + 1));
            match key {
                Some(k) if configuration && !k.contains('{') && !k.is_empty() => {
                    format!("{{env:{}}}", k.replace(':', "__"))
                }
                _ => "{}".to_string(),
            }
        }
        // `process.env.CART_URL`, `os.environ["CART_URL"]`, k6's `__ENV.BASE_URL`
        "member_expression" | "subscript" => {
            // A configuration entry assigned in the file: `app.config["CART_URI"]`.
            let own = src
                .strip_prefix("this.")
                .filter(|rest| !rest.contains(['.', '[']));
            if let Some(value) =
                constant(consts, src, node).or_else(|| own.and_then(|n| constant(consts, n, node)))
            {
                return eval(value, text, consts, depth + 1);
            }
            // (k6 scripts read theirs from `__ENV`.)
            let name = src
                .strip_prefix("process.env.")
                .or_else(|| src.strip_prefix("__ENV."))
                .map(str::to_string)
                .or_else(|| {
                    src.strip_prefix("os.environ[")
                        .map(|rest| strip_quotes(rest.trim_end_matches(']')).to_string())
                });
            match name {
                Some(n) if !n.is_empty() => format!("{{env:{n}}}"),
                // A browser app calls the host that served it.
                _ if matches!(
                    src,
                    "window.location.hostname" | "location.hostname" | "window.location.host"
                ) =>
                {
                    "localhost".to_string()
                }
                _ => reference(src),
            }
        }
        // `config.CART_URL`, `Constants.BASE_URL`, `cfg.BaseURL`: a constant of the
        // file, else (when its name says it is an address) one of another file.
        "attribute"
        | "field_access"
        | "selector_expression"
        | "member_access_expression"
        | "scoped_identifier"
        | "field_expression"
        | "navigation_expression" => {
            // `self.EXCHANGE`, `this.baseUrl`: the class's own constant or field.
            let own = ["self.", "this.", "cls.", "$this->"]
                .iter()
                .find_map(|p| src.strip_prefix(p))
                .filter(|rest| !rest.contains('.'));
            match constant(consts, src, node)
                .or_else(|| own.and_then(|n| constant(consts, n, node)))
            {
                Some(value) => eval(value, text, consts, depth + 1),
                None => reference(&src.replace("$this->", "this.")),
            }
        }
        // `url=...` given by keyword (Python): its value; other keywords say nothing.
        "keyword_argument" => match (
            node.child_by_field_name("name")
                .and_then(|n| n.utf8_text(text.as_bytes()).ok()),
            node.child_by_field_name("value"),
        ) {
            (Some("url"), Some(v)) => eval(v, text, consts, depth + 1),
            _ => "{}".to_string(),
        },
        // Request options: `request({ uri: base + "/orders", method: "POST" })`.
        "object" => {
            let mut c = node.walk();
            let field = node.named_children(&mut c).find_map(|pair| {
                let key = pair.child_by_field_name("key")?;
                let key = strip_quotes(key.utf8_text(text.as_bytes()).ok()?);
                matches!(key, "uri" | "url").then(|| pair.child_by_field_name("value"))?
            });
            field.map_or("{}".to_string(), |v| eval(v, text, consts, depth + 1))
        }
        // Rust's `&url`, `&mut url`: the value.
        "reference_expression" => node
            .child_by_field_name("value")
            .map_or("{}".to_string(), |n| eval(n, text, consts, depth + 1)),
        // C#'s `value!`, TypeScript's `value!`: the value.
        "postfix_unary_expression" | "non_null_expression" if src.ends_with('!') => node
            .named_child(0)
            .map_or("{}".to_string(), |n| eval(n, text, consts, depth + 1)),
        "macro_invocation"
            if node
                .child_by_field_name("macro")
                .and_then(|m| m.utf8_text(text.as_bytes()).ok())
                .is_some_and(|m| matches!(m, "format" | "format_args")) =>
        {
            rust_format(node, text, consts, depth)
        }
        // Rust's `|_| "default".into()`: what the closure gives.
        "closure_expression" => node
            .child_by_field_name("body")
            .map_or("{}".to_string(), |b| eval(b, text, consts, depth + 1)),
        "parenthesized_expression" => node
            .named_child(0)
            .map_or("{}".to_string(), |n| eval(n, text, consts, depth + 1)),
        // Elixir's module attribute `@base_url`: the value the module gives it.
        "unary_operator" if src.starts_with('@') => {
            let name = node
                .child_by_field_name("operand")
                .map(|o| o.child_by_field_name("target").unwrap_or(o))
                .and_then(|t| t.utf8_text(text.as_bytes()).ok())
                .unwrap_or("");
            match constant(consts, name, node) {
                Some(value) => eval(value, text, consts, depth + 1),
                None => "{}".to_string(),
            }
        }
        // Elixir's `url: "http://..."` among a call's options (`Req.get(url: u)`).
        "keywords" => {
            let mut c = node.walk();
            let url = node.named_children(&mut c).find_map(|pair| {
                let key = pair
                    .child_by_field_name("key")?
                    .utf8_text(text.as_bytes())
                    .ok()?;
                matches!(key.trim().trim_end_matches(':'), "url" | "base_url")
                    .then(|| pair.child_by_field_name("value"))?
            });
            url.map_or("{}".to_string(), |v| eval(v, text, consts, depth + 1))
        }
        "identifier" | "simple_identifier" => match constant(consts, src, node) {
            Some(value) => eval(value, text, consts, depth + 1),
            // A parameter, whatever its name: what the callers pass.
            None => parameter_reference(node, src, text).unwrap_or_else(|| reference(src)),
        },
        "call"
        | "call_expression"
        | "invocation_expression"
        | "method_invocation"
        | "function_call_expression"
        | "function_call" => {
            let callee = src.split(['(', '[']).next().unwrap_or("");
            // (Elixir's call names no `arguments` field: its child of that kind.)
            let args: Vec<Node<'_>> = node
                .child_by_field_name("arguments")
                .or_else(|| {
                    let mut c = node.walk();
                    let found = node
                        .named_children(&mut c)
                        .find(|n| n.kind() == "arguments");
                    found
                })
                .or_else(|| swift_arguments(node))
                .map(|a| {
                    let mut c = a.walk();
                    a.named_children(&mut c).collect()
                })
                .unwrap_or_default();
            // Swift's `URL(string: s)`, `URI(string: s)`: the string.
            if matches!(callee.trim(), "URL" | "URI") && args.len() == 1 {
                return eval(args[0], text, consts, depth + 1);
            }
            if let Some(value) = rust_value_call(node, &args, text, consts, depth) {
                return value;
            }
            // A format string: `fmt.Sprintf("%s/version", base)`, `String.format(...)`.
            if (callee.ends_with("Sprintf")
                || callee.ends_with("String.format")
                || callee == "util.format"
                || callee == "sprintf")
                && !args.is_empty()
            {
                let mut out = String::new();
                let format = eval(args[0], text, consts, depth + 1);
                let mut values = args[1..].iter();
                let mut chars = format.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '%' {
                        match chars.next() {
                            Some('%') => out.push('%'),
                            Some(_) => {
                                out.push_str(&values.next().map_or("{}".to_string(), |v| {
                                    eval(*v, text, consts, depth + 1)
                                }))
                            }
                            None => {}
                        }
                    } else {
                        out.push(c);
                    }
                }
                return out;
            }
            // Python `"http://{user}:8080/check/{id}".format(user=USER, id=id)`: the
            // template with each field's argument (keyword or positional) put in.
            if let Some(template) = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    f.child_by_field_name("attribute")
                        .and_then(|a| a.utf8_text(text.as_bytes()).ok())
                        == Some("format")
                })
                .and_then(|f| f.child_by_field_name("object"))
                .filter(|o| o.kind() == "string")
            {
                let template = eval(template, text, consts, depth + 1);
                let keyword = |name: &str| {
                    args.iter().find(|a| {
                        a.kind() == "keyword_argument"
                            && a.child_by_field_name("name")
                                .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                                == Some(name)
                    })
                };
                let mut positional = args.iter().filter(|a| a.kind() != "keyword_argument");
                let mut out = String::new();
                let mut rest = template.as_str();
                while let Some(open) = rest.find('{') {
                    out.push_str(&rest[..open]);
                    let Some(close) = rest[open..].find('}') else {
                        rest = &rest[open..];
                        break;
                    };
                    let field = &rest[open + 1..open + close];
                    let field = field.split([':', '!']).next().unwrap_or("");
                    let value = if field.is_empty() || field.chars().all(|c| c.is_ascii_digit()) {
                        positional.next().copied()
                    } else {
                        keyword(field).and_then(|k| k.child_by_field_name("value"))
                    };
                    out.push_str(
                        &value.map_or("{}".to_string(), |v| eval(v, text, consts, depth + 1)),
                    );
                    rest = &rest[open + close + 1..];
                }
                out.push_str(rest);
                return out;
            }
            // .NET configuration: `configuration.GetValue<string>("Services:Catalog")`,
            // `GetConnectionString("catalogdb")`: its entry, as the environment (and the
            // project's `appsettings.json`) gives it.
            let method = callee.rsplit('.').next().unwrap_or("");
            let method = method.split('<').next().unwrap_or(method).trim();
            if matches!(method, "GetValue" | "GetConnectionString") && !args.is_empty() {
                let key = eval(args[0], text, consts, depth + 1).replace(':', "__");
                if !key.contains('{') {
                    let key = if method == "GetConnectionString" {
                        format!("ConnectionStrings__{key}")
                    } else {
                        key
                    };
                    return format!("{{env:{key}}}");
                }
            }
            // An environment lookup with a default: its last string argument.
            let env = [
                "getenv",
                "environ.get",
                "GetEnvironmentVariable",
                "env::var",
                "Getenv",
                "System.get_env",
                "env.getOrElse",
                // Swift: Vapor's `Environment.get("X")`, Foundation's
                // `ProcessInfo.processInfo.environment["X"]`.
                "Environment.get",
                "processInfo.environment",
            ]
            .iter()
            .any(|e| callee.ends_with(e));
            // The variable is named for the deployment to fill in: `{env:NAME}`, or
            // `{env:NAME|default}` with a default.
            if env && !args.is_empty() {
                let name = eval(args[0], text, consts, depth + 1);
                if args.len() >= 2 {
                    let default = eval(args[args.len() - 1], text, consts, depth + 1);
                    return format!("{{env:{name}|{default}}}");
                }
                return format!("{{env:{name}}}");
            }
            // A function of the file taking nothing: what it returns.
            if args.is_empty() {
                if let Some(value) = returned_value(node, callee, text, consts, depth) {
                    return value;
                }
                // Another object's method named for an address (`config.getPaymentUri()`):
                // what it returns, once the service's files are known (see
                // `crate::objects`).
                if callee.contains('.') {
                    return reference(callee.trim());
                }
            }
            "{}".to_string()
        }
        _ => "{}".to_string(),
    }
}

/// The argument list of a Swift call (`call_suffix` → `value_arguments`), whose
/// `value_argument`s [`eval`] reads through.
fn swift_arguments(call: Node<'_>) -> Option<Node<'_>> {
    let mut c = call.walk();
    let suffix = call
        .named_children(&mut c)
        .find(|n| n.kind() == "call_suffix")?;
    let mut c = suffix.walk();
    let found = suffix
        .named_children(&mut c)
        .find(|n| n.kind() == "value_arguments");
    found
}

/// What a function of the file, called without arguments, returns
/// (`Topic = getTopic()`, `def broker_url(): return os.getenv("AMQP_URL", "amqp://rabbit")`):
/// the value its returns agree on, or, when one reads the environment and the others
/// give a fallback (`if t := os.Getenv("TOPIC"); t != "" { return t }; return "orders"`),
/// that lookup with the fallback as its default.
fn returned_value(
    call: Node<'_>,
    callee: &str,
    text: &str,
    consts: &Constants<'_>,
    depth: usize,
) -> Option<String> {
    let name = callee.trim();
    let name = name
        .strip_prefix("self.")
        .or(name.strip_prefix("this."))
        .unwrap_or(name);
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    if let Some(known) = FILE_CACHE.with(|c| c.borrow().returned.get(name).cloned()) {
        return known;
    }
    let root = root_of(call);
    // The function's definition (the one of that name; none when several), from the
    // file's functions by name, listed once per file.
    let ranges = FILE_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let functions = c
            .functions
            .get_or_insert_with(|| functions_by_name(root, text));
        functions.get(name).cloned()
    });
    let function = match ranges.as_deref() {
        Some([(start, end)]) => root.descendant_for_byte_range(*start, *end),
        _ => None,
    };
    let value = function.and_then(|f| function_value(f, text, consts, depth));
    FILE_CACHE.with(|c| {
        c.borrow_mut()
            .returned
            .insert(name.to_string(), value.clone())
    });
    value
}

/// What one file's extraction has worked out about its functions, for
/// [`returned_value`]: its functions' byte ranges by name (`None` until first
/// needed; a file too large to list whole lists none) and the values calls of them
/// gave. Cleared for each file ([`begin_file`]).
#[derive(Default)]
struct FileCache {
    functions: Option<HashMap<String, Vec<(usize, usize)>>>,
    returned: HashMap<String, Option<String>>,
}

thread_local! {
    static FILE_CACHE: std::cell::RefCell<FileCache> = std::cell::RefCell::new(FileCache::default());
}

/// Forgets what the previous file's extraction worked out (see [`FileCache`]).
pub(crate) fn begin_file() {
    FILE_CACHE.with(|c| *c.borrow_mut() = FileCache::default());
}

/// The file's functions and methods by name, as byte ranges.
fn functions_by_name(root: Node<'_>, text: &str) -> HashMap<String, Vec<(usize, usize)>> {
    let mut out: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let complete = each_named_node(root, |n| {
        let callable = matches!(
            n.kind(),
            "function_declaration"
                | "function_definition"
                | "method_declaration"
                | "function_item"
                | "method_definition"
        );
        if let Some(name) = n
            .child_by_field_name("name")
            .filter(|_| callable)
            .and_then(|v| v.utf8_text(text.as_bytes()).ok())
        {
            out.entry(name.to_string())
                .or_default()
                .push((n.start_byte(), n.end_byte()));
        }
    });
    if complete {
        out
    } else {
        HashMap::new()
    }
}

/// What a function returns (see [`returned_value`]).
fn function_value(
    function: Node<'_>,
    text: &str,
    consts: &Constants<'_>,
    depth: usize,
) -> Option<String> {
    let body = function.child_by_field_name("body")?;
    let mut returned: Vec<String> = Vec::new();
    let mut lookups: Vec<String> = Vec::new();
    each_named_node(body, |n| {
        if matches!(n.kind(), "return_statement" | "return_expression") {
            if let Some(value) = n.named_child(0) {
                // Go wraps returned values in an expression list.
                let value = if value.kind() == "expression_list" {
                    value.named_child(0).unwrap_or(value)
                } else {
                    value
                };
                returned.push(eval(value, text, consts, depth + 1));
            }
        } else if n.kind().contains("call") || n.kind().contains("invocation") {
            let v = eval(n, text, consts, depth + 1);
            if v.starts_with("{env:") && v.ends_with('}') && v.matches('{').count() == 1 {
                lookups.push(v);
            }
        }
    });
    let known: Vec<&String> = returned.iter().filter(|v| !v.contains("{}")).collect();
    let first = known.first()?;
    if known.iter().all(|v| v == first) && known.len() == returned.len() {
        return Some(first.to_string());
    }
    // An environment lookup and a fallback.
    let fallbacks: Vec<&&String> = known.iter().filter(|v| !v.starts_with("{env:")).collect();
    match (&lookups[..], &fallbacks[..]) {
        ([lookup], [fallback]) if !lookup.contains('|') => {
            Some(format!("{}|{fallback}}}", lookup.trim_end_matches('}')))
        }
        _ => None,
    }
}

/// Rust's conversions and fallbacks around a value: `"x".into()`, `.to_string()`,
/// `.unwrap()`, and an environment lookup's default
/// (`env::var("X").unwrap_or_else(|_| "d".into())`, `.unwrap_or("d".to_string())`).
fn rust_value_call(
    call: Node<'_>,
    args: &[Node<'_>],
    text: &str,
    consts: &Constants<'_>,
    depth: usize,
) -> Option<String> {
    let function = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "field_expression")?;
    let field = function
        .child_by_field_name("field")?
        .utf8_text(text.as_bytes())
        .ok()?;
    let value = function.child_by_field_name("value")?;
    match field {
        "into" | "to_string" | "to_owned" | "unwrap" | "expect" | "clone" | "as_str" => {
            Some(eval(value, text, consts, depth + 1))
        }
        "unwrap_or" | "unwrap_or_else" => {
            let looked_up = eval(value, text, consts, depth + 1);
            let name = looked_up
                .strip_prefix("{env:")
                .and_then(|rest| rest.strip_suffix('}'))
                .filter(|n| !n.contains(['|', '{']))?;
            let default = args
                .first()
                .map(|a| eval(*a, text, consts, depth + 1))
                .unwrap_or_default();
            Some(format!("{{env:{name}|{default}}}"))
        }
        _ => None,
    }
}

/// Rust's `format!("{base}/orders/{}", id)`: the template with its inline names and
/// positional arguments put in (`{:?}` and other specs read as `{}`).
fn rust_format(node: Node<'_>, text: &str, consts: &Constants<'_>, depth: usize) -> String {
    let Some(tokens) = node
        .named_children(&mut node.walk())
        .find(|c| c.kind() == "token_tree")
    else {
        return "{}".to_string();
    };
    let mut c = tokens.walk();
    let items: Vec<Node<'_>> = tokens.named_children(&mut c).collect();
    let Some(template) = items.first().filter(|t| t.kind() == "string_literal") else {
        return "{}".to_string();
    };
    let template = strip_quotes(template.utf8_text(text.as_bytes()).unwrap_or(""));
    let mut positional = items[1..].iter();
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        if rest[open..].starts_with("{{") {
            out.push('{');
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let field = rest[open + 1..open + close].split(':').next().unwrap_or("");
        let value = if field.is_empty() {
            positional.next().map(|v| eval(*v, text, consts, depth + 1))
        } else if field.chars().all(|c| c.is_ascii_digit()) {
            field
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i + 1))
                .map(|v| eval(*v, text, consts, depth + 1))
        } else {
            // An inline name: a constant, else a parameter (what the callers pass) or
            // another file's address, as the name alone would be.
            Some(match constant(consts, field, node) {
                Some(v) => eval(v, text, consts, depth + 1),
                None => parameter_reference(node, field, text).unwrap_or_else(|| reference(field)),
            })
        };
        out.push_str(&value.unwrap_or_else(|| "{}".to_string()));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A string with its Spring (or shell) placeholders (`${service.product.url}`,
/// `http://${BALANCES_API_ADDR}/balances`, `${CART_URL:http://cart}`) as the
/// configuration or environment lookups they are (`{env:service.product.url}`,
/// `{env:CART_URL|http://cart}`), or, with `defaults`, replaced by their defaults
/// (one without a default stays as written). Anything else between `${` and `}` is
/// left as it is.
pub(crate) fn spring_placeholders(s: &str, defaults: bool) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let inner_end = rest[at + 2..].find('}');
        let lookup = inner_end
            .map(|end| &rest[at + 2..at + 2 + end])
            .filter(|inner| {
                !inner.contains(['$', '{', ' '])
                    && inner.split(':').next().is_some_and(|k| {
                        !k.is_empty()
                            && k.chars()
                                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
                    })
            });
        match (lookup, inner_end) {
            (Some(inner), Some(end)) => {
                out.push_str(&match (inner.split_once(':'), defaults) {
                    (Some((_, default)), true) => default.to_string(),
                    (None, true) => format!("${{{inner}}}"),
                    (Some((key, default)), false) => format!("{{env:{key}|{default}}}"),
                    (None, false) => format!("{{env:{inner}}}"),
                });
                rest = &rest[at + 2 + end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A name the file does not define, as a reference to another file's constant
/// (`{ref:endpoints.cartsUrl}`, filled in when services are matched) when its last
/// name says it is an address (`url`, `uri`, `host`, `endpoint`, `addr`, `base`);
/// else unknown (`{}`).
fn reference(src: &str) -> String {
    named_reference(src, |last| {
        let last = last.to_ascii_lowercase();
        ["url", "uri", "host", "endpoint", "addr", "base"]
            .iter()
            .any(|w| last.contains(w))
    })
    .unwrap_or_else(|| "{}".to_string())
}

/// `{ref:src}` for a plain path (`Config.QUEUE`, `endpoints::CART_URL`) whose last
/// name `names` accepts, for the constants of the service to fill in.
fn named_reference(src: &str, names: impl Fn(&str) -> bool) -> Option<String> {
    let last = src.rsplit(['.', ':', '>']).next().unwrap_or(src);
    let plain = !src.is_empty()
        && src.len() <= 120
        && src
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '$'));
    (plain && names(last)).then(|| format!("{{ref:{src}}}"))
}

/// The file's constants whose values are absolute URLs (`CARTS_URL`,
/// `module.exports = { cartsUrl: "http://carts/carts" }`), for other files of the
/// service that use them by name.
///
/// Also the members of an enumeration whose value reads like a service's name
/// (`AUTH("tools.descartes.teastore.auth")`, `PAYMENT("payment-service")`), as
/// `Enum.MEMBER`: a registry of services, used to reach them by discovery.
pub(crate) fn url_constants(consts: &Constants<'_>, text: &str) -> Vec<NamedValue> {
    let mut out: Vec<NamedValue> = consts
        .iter()
        .filter_map(|(name, defs)| {
            let first = *defs.first()?;
            let member = first
                .parent()
                .and_then(|args| args.parent())
                .filter(|m| m.kind() == "enum_constant");
            let Some(member) = member else {
                // A queue's, topic's or exchange's name, for the files that name it
                // through its class (`RabbitConfig.queueName`).
                if is_topic_constant(name) {
                    let value = eval(first, text, consts, 0);
                    let plain = (1..=200).contains(&value.len()) && !value.contains(['{', '}']);
                    return plain.then(|| NamedValue {
                        name: name.to_string(),
                        value,
                    });
                }
                // Only what can make a URL is worked out: a scheme, or an environment
                // lookup or placeholder that may give one.
                let src = first.utf8_text(text.as_bytes()).unwrap_or("");
                if src.len() > 2_000 || !["://", "env", "${"].iter().any(|w| src.contains(w)) {
                    return None;
                }
                let value = eval(first, text, consts, 0);
                return (is_absolute_url(&value) && !value.contains("{ref:")).then(|| NamedValue {
                    name: name.to_string(),
                    value,
                });
            };
            let value = eval(first, text, consts, 0);
            let enumeration = member
                .parent()
                .and_then(|body| body.parent())
                .and_then(|e| e.child_by_field_name("name"))?;
            let service_like = (3..=80).contains(&value.len())
                && value.chars().any(|c| c.is_ascii_lowercase())
                && value.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
                });
            service_like.then(|| NamedValue {
                name: format!(
                    "{}.{name}",
                    enumeration.utf8_text(text.as_bytes()).unwrap_or("")
                ),
                value,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A destination or address named by a parameter of the function alone
/// (`{ref:bind(0,queue)}`) as unknown (`{}`): those are named by constants, not by
/// what callers pass.
pub(crate) fn unpassed(value: String) -> String {
    if is_parameter(&value) {
        "{}".to_string()
    } else {
        value
    }
}

/// Whether a value is a parameter of the function alone (`{ref:bind(0,queue)}`).
fn is_parameter(value: &str) -> bool {
    value.starts_with("{ref:")
        && value.ends_with(")}")
        && value[1..].find('{').is_none()
        && value.contains('(')
}

/// Whether a value is another file's constant alone (`{ref:config.getPaymentUri}`).
fn is_reference(value: &str) -> bool {
    value.starts_with("{ref:") && value.ends_with('}') && value[1..].find('{').is_none()
}

/// Whether a constant's name says it names a message destination (`queueName`,
/// `ORDERS_TOPIC`, `exchangeName`, `routingKey`, `SUBJECT`).
fn is_topic_constant(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "queue", "topic", "exchange", "subject", "routing", "channel",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A destination named through another file's constant (`Config.QUEUE`,
/// `config::TOPIC`): `{ref:Config.QUEUE}` for the service's constants to fill in.
fn topic_reference(node: Node<'_>, text: &str) -> Option<String> {
    named_reference(node.utf8_text(text.as_bytes()).ok()?, is_topic_constant)
}

/// Most literal arguments a file's calls are read for (a generated table of calls
/// is no wrapper's users).
const MAX_PASSED: usize = 5_000;

/// The literal paths and URLs calls pass (`callApi("/orders")`, `get(path="/x")`),
/// grouped by call: each value as evaluated, keyed by its position among the
/// arguments or its keyword (see [`crate::facts::FileFacts::passed`]).
pub(crate) fn passed_arguments(
    values: &[Node<'_>],
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<crate::facts::PassedArguments> {
    let mut out: Vec<crate::facts::PassedArguments> = Vec::new();
    let mut calls: HashMap<usize, usize> = HashMap::new();
    for value in values.iter().take(MAX_PASSED) {
        // The argument (C#'s wraps the expression; a keyword names it).
        let mut arg = *value;
        let mut key = None;
        if let Some(p) = arg.parent() {
            if p.kind() == "argument" {
                arg = p;
            } else if p.kind() == "keyword_argument" {
                key = p
                    .child_by_field_name("name")
                    .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                    .map(str::to_string);
                arg = p;
            }
        }
        let Some(list) = arg.parent() else { continue };
        let Some(call) = list.parent() else { continue };
        let Some(callee) = callee_name(call, text) else {
            continue;
        };
        let key = match key {
            Some(k) => k,
            None => match argument_position(list, arg) {
                Some(i) => i.to_string(),
                None => continue,
            },
        };
        let evaluated = eval(*value, text, consts, 0);
        // A literal path or URL, or a parameter of the calling function passed on (a
        // wrapper calling a wrapper: filled where the caller is called).
        // Another file's address (`{ref:config.getPaymentUri}`) is filled in there.
        // A destination's name: named so (`orderQueueName`), or a literal passed to a
        // function that publishes or consumes (`publish("orders", ..)`).
        let destination = !evaluated.is_empty()
            && evaluated != "{}"
            && evaluated.len() <= 100
            && if value.kind() == "identifier" {
                is_topic_constant(value.utf8_text(text.as_bytes()).unwrap_or_default())
            } else {
                let lower = callee.to_ascii_lowercase();
                [
                    "publish",
                    "send",
                    "emit",
                    "produce",
                    "subscribe",
                    "consume",
                    "listen",
                    "receive",
                ]
                .iter()
                .any(|w| lower.contains(w))
            };
        let path_like = evaluated.starts_with('/')
            || is_absolute_url(&evaluated)
            || hostless_url(&evaluated)
            || is_parameter(&evaluated)
            || is_reference(&evaluated)
            || destination;
        if !path_like || evaluated.len() > 300 || evaluated.contains(char::is_whitespace) {
            continue;
        }
        let at = *calls.entry(call.id()).or_insert_with(|| {
            out.push(crate::facts::PassedArguments {
                callee,
                values: Vec::new(),
                span: span_of(call),
                enclosing: None,
                reference: None,
            });
            out.len() - 1
        });
        out[at].values.push((key, evaluated));
    }
    out
}

/// The position of `arg` among the arguments of `list` (comments aside).
fn argument_position(list: Node<'_>, arg: Node<'_>) -> Option<usize> {
    let mut c = list.walk();
    let position = list
        .named_children(&mut c)
        .filter(|n| !n.kind().contains("comment"))
        .position(|n| n.id() == arg.id());
    position
}

/// The URLs calls pass to functions and constructors of the service
/// (`new CartHelper(CART_URL)`, `CartClient(base_url=URL)`), as constants named
/// `Callee(index)` and `Callee(name)` for the callee's parameters
/// (`{ref:CartHelper(0,baseUrl)}` in its body, see [`parameter_reference`]).
pub(crate) fn argument_constants(
    arguments: &[Node<'_>],
    consts: &Constants<'_>,
    text: &str,
) -> Vec<NamedValue> {
    let mut out: Vec<NamedValue> = Vec::new();
    for arg in arguments {
        let (value, key, list) = if arg.kind() == "keyword_argument" {
            let (Some(name), Some(value)) = (
                arg.child_by_field_name("name"),
                arg.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = name.utf8_text(text.as_bytes()).unwrap_or("").to_string();
            (value, name, arg.parent())
        } else {
            let Some(list) = arg.parent() else { continue };
            let Some(i) = argument_position(list, *arg) else {
                continue;
            };
            (*arg, i.to_string(), Some(list))
        };
        let Some(callee) = list
            .and_then(|l| l.parent())
            .and_then(|call| callee_name(call, text))
        else {
            continue;
        };
        let value = eval(value, text, consts, 0);
        if is_absolute_url(&value) && !value.contains("{ref:") {
            let name = format!("{callee}({key})");
            if !out.iter().any(|c| c.name == name) {
                out.push(NamedValue { name, value });
            }
        }
    }
    out
}

/// The name a call reaches its function or constructor by: `new CartHelper(..)`,
/// `helpers.CartClient(..)`, `NewCartClient(..)`, `CartClient::new(..)` → the type.
fn callee_name(call: Node<'_>, text: &str) -> Option<String> {
    let target = ["type", "constructor", "function", "name"]
        .iter()
        .find_map(|f| call.child_by_field_name(f))?;
    let written = target.utf8_text(text.as_bytes()).ok()?;
    let written = written.split('<').next().unwrap_or(written);
    let mut parts = written.rsplit(['.', ':']).filter(|p| !p.is_empty());
    let last = parts.next()?;
    let name = if last == "new" { parts.next()? } else { last };
    name.chars()
        .all(|c| c.is_alphanumeric() || c == '_')
        .then(|| name.to_string())
}

/// A use of a parameter of the function or constructor around `node`, as a
/// reference to what its callers pass (`{ref:CartHelper(0,baseUrl)}`): the
/// callable's name (its type's for constructors and initialisers), the
/// parameter's position and name.
fn parameter_reference(node: Node<'_>, name: &str, text: &str) -> Option<String> {
    let mut at = node.parent();
    while let Some(n) = at {
        if let Some(params) = n.child_by_field_name("parameters") {
            let mut c = params.walk();
            let position = params
                .named_children(&mut c)
                .filter(|p| !p.kind().contains("comment"))
                // Python's receiver is no argument a caller passes.
                .filter(|p| !matches!(parameter_name(*p, text), Some("self" | "cls")))
                .position(|p| parameter_name(p, text) == Some(name))?;
            let own = n
                .child_by_field_name("name")
                .and_then(|x| x.utf8_text(text.as_bytes()).ok())
                .unwrap_or("");
            let callable = match (n.kind(), own) {
                ("constructor_declaration", _) => own.to_string(),
                (_, "__init__" | "constructor" | "new") => {
                    // The class (or `impl` type) around it.
                    let mut up = n.parent();
                    let mut found = None;
                    while let Some(u) = up {
                        if let Some(t) = u
                            .child_by_field_name("name")
                            .or_else(|| u.child_by_field_name("type"))
                            .filter(|_| u.kind().contains("class") || u.kind() == "impl_item")
                        {
                            found = t.utf8_text(text.as_bytes()).ok();
                            break;
                        }
                        up = u.parent();
                    }
                    found?.to_string()
                }
                _ if !own.is_empty() => own.to_string(),
                _ => return None,
            };
            return Some(format!("{{ref:{callable}({position},{name})}}"));
        }
        at = n.parent();
    }
    None
}

/// The name a parameter declares (`String baseUrl`, `base_url: str = "x"`, `addr string`).
fn parameter_name<'t>(param: Node<'_>, text: &'t str) -> Option<&'t str> {
    if param.kind() == "identifier" {
        return param.utf8_text(text.as_bytes()).ok();
    }
    let name = param.child_by_field_name("name").or_else(|| {
        let mut c = param.walk();
        let first = param
            .named_children(&mut c)
            .find(|n| n.kind() == "identifier");
        first
    })?;
    name.utf8_text(text.as_bytes()).ok()
}

/// `a ?? b`, `a || b`, `a or b`: an env variable with `b` as its default, else `a`
/// when known, else `b`.
/// [`either`] of the values of two fields of `node` (a lookup and its default).
fn either_of(
    node: Node<'_>,
    first: &str,
    second: &str,
    text: &str,
    consts: &Constants<'_>,
    depth: usize,
) -> String {
    match (
        node.child_by_field_name(first),
        node.child_by_field_name(second),
    ) {
        (Some(l), Some(r)) => either(
            eval(l, text, consts, depth + 1),
            eval(r, text, consts, depth + 1),
        ),
        _ => "{}".to_string(),
    }
}

fn either(left: String, right: String) -> String {
    if let Some(name) = left.strip_prefix("{env:").and_then(|r| r.strip_suffix('}')) {
        if !name.contains('|') {
            return format!("{{env:{name}|{right}}}");
        }
    }
    if left == "{}" {
        right
    } else {
        left
    }
}

fn strip_quotes(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix('@').unwrap_or(s);
    let s = s.strip_prefix('$').unwrap_or(s);
    let s = s.trim_start_matches(['f', 'r', 'b', 'F', 'R', 'B']);
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
}

/// `url` with each `{ref:name}` (see [`HttpFact::url`]) replaced by what `lookup`
/// finds for it, else `{}`.
pub fn fill_references(url: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    fill_placeholders(url, "{ref:", lookup)
}

/// `url` with each discovery name (`{svc:Service.AUTH}`, a member of an enumeration
/// of the services) replaced by the service name `lookup` finds for it, else `{}`.
pub fn fill_service_names(url: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    fill_placeholders(url, "{svc:", lookup)
}

fn fill_placeholders(url: &str, open: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = url;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            rest = "";
            break;
        };
        out.push_str(&lookup(&rest[at + open.len()..at + end]).unwrap_or_else(|| "{}".to_string()));
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Builds the facts of the captured routes and calls.
pub(crate) fn build(
    raw: Vec<RawHttp<'_>>,
    prefixes: Vec<RawPrefix<'_>>,
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<HttpFact> {
    let mut out: Vec<HttpFact> = Vec::new();
    // Where patterns with and without a path (or a handler) both matched a route,
    // the one with it wins.
    let mut raw = raw;
    raw.sort_by_key(|r| (r.url.is_none(), r.handler.is_none()));
    let mut prefixes = prefixes;
    prefixes.sort_by_key(|p| (p.scope.start_byte(), std::cmp::Reverse(p.scope.end_byte())));
    for mut r in raw {
        // A route without a path serves its prefix (`@GetMapping` under the class's).
        let mut url = match r.url {
            Some(url_node) => eval(url_node, text, consts, 0),
            None if r.route => String::new(),
            None => continue,
        };
        // A service invocation: the app it names is the host. A member of an
        // enumeration another file defines (`Service.AUTH`) is a discovery name, its
        // value known when the workspace's are (`{svc:Service.AUTH}`, see
        // [`fill_service_names`]).
        if let Some(app) = r.app {
            let mut name = eval(app, text, consts, 0);
            if app.kind() == "field_access" && name.contains('{') {
                let written = app.utf8_text(text.as_bytes()).unwrap_or("");
                if is_name_path(written) {
                    name = format!("{{svc:{written}}}");
                }
            }
            if name.is_empty() || (name.contains(['{', '/', ' ']) && !name.starts_with("{svc:")) {
                continue;
            }
            url = format!("http://{name}/{}", url.trim_start_matches('/'));
        }
        // A client handed to a callback: the request the callback makes is the call.
        let mut callback_verb = None;
        if let Some(callback) = r.callback {
            let Some((path, verb)) = callback_chain(callback, text, consts) else {
                continue;
            };
            if !path.is_empty() {
                url = format!("{}/{path}", url.trim_end_matches('/'));
            }
            callback_verb = Some(verb);
        }
        // Another file's constant may make it absolute: decided when it is known.
        let absolute = is_absolute_url(&url);
        if r.absolute_only && !absolute && !url.starts_with("{ref:") {
            continue;
        }
        if r.route {
            url = fill_references(&url, |_| None);
            // gorilla/mux `PathPrefix("/cards")` serves everything under it.
            let declared = r.node.utf8_text(text.as_bytes()).unwrap_or("");
            if declared.contains(".PathPrefix(") && !url.ends_with("**") {
                url = format!("{}/**", url.trim_end_matches('/'));
            }
        }
        // A mapping declared on an interface is a client (Spring Cloud's Feign): it
        // calls the service its `@FeignClient` names.
        if r.route && r.node.kind() == "method_declaration" {
            if let Some(client) = enclosing_interface(r.node) {
                let declared = client.utf8_text(text.as_bytes()).unwrap_or("");
                r.route = false;
                url = format!(
                    "{}/{}",
                    feign_base(declared).trim_end_matches('/'),
                    url.trim_start_matches('/')
                );
            }
        }
        let node_text = r.node.utf8_text(text.as_bytes()).unwrap_or("");
        let mut method = r
            .method
            .and_then(|m| m.utf8_text(text.as_bytes()).ok())
            // `got.post`: the method is the last name.
            .map(|m| m.rsplit('.').next().unwrap_or(m))
            .map_or("*".to_string(), method_of);
        // Go 1.22 patterns carry the method: `mux.HandleFunc("GET /cart/{id}", h)`.
        if let Some((m, rest)) = url.split_once(' ') {
            if m.chars().all(|c| c.is_ascii_uppercase()) && rest.starts_with('/') {
                method = m.to_string();
                url = rest.to_string();
            }
        }
        // Options kept in a variable: `var options = { uri, method: "POST" }; request(options)`.
        // A docblock annotation names the methods too: `methods={"PUT"}`.
        let node_text = match r.url.filter(|u| u.kind() == "comment") {
            Some(comment) => comment.utf8_text(text.as_bytes()).unwrap_or(node_text),
            None => node_text,
        };
        let node_text = r
            .url
            .filter(|u| u.kind() == "identifier")
            .and_then(|u| constant(consts, u.utf8_text(text.as_bytes()).ok()?, r.node))
            .filter(|v| v.kind() == "object")
            .and_then(|v| v.utf8_text(text.as_bytes()).ok())
            .unwrap_or(node_text);
        // Options that name the method: `fetch(url, { method: "POST" })`,
        // `methods=["POST"]`, `method = RequestMethod.POST`.
        // A JAX-RS `target(url)` is followed by the method further down its chain.
        let chained = !r.route
            && r.method
                .and_then(|m| m.utf8_text(text.as_bytes()).ok())
                .is_some_and(|m| m == "target");
        if chained {
            let (path, verb) = web_target_chain(r.node, text, consts);
            if !path.is_empty() {
                url = format!("{}/{path}", url.trim_end_matches('/'));
            }
            if let Some(verb) = verb {
                method = verb;
            }
        }
        let chained = chained || callback_verb.is_some();
        if let Some(verb) = callback_verb {
            method = verb;
        }
        if !chained && (method == "*" || (!r.route && method == "GET")) {
            if let Some(m) = method_in_options(node_text) {
                method = m;
            } else if r.app.is_some() && r.method.is_none() {
                // Dapr's SDKs post unless told otherwise.
                method = "POST".to_string();
            } else if !r.route || node_text.contains("route(") {
                // `fetch(url)` and Flask's `@app.route(path)` mean GET.
                method = "GET".to_string();
            }
        }
        // A minimal-API route under the route groups it is mapped on.
        if r.route && r.node.kind() == "invocation_expression" {
            let receiver = r
                .node
                .child_by_field_name("function")
                .and_then(|f| f.child_by_field_name("expression"));
            if let Some(prefix) = receiver.map(|n| group_prefix(n, text, consts, 0)) {
                url = join_path(&prefix, &url);
            }
        }
        // A Python route under the prefix its router or blueprint was made with.
        if r.route && r.node.kind() == "decorated_definition" {
            if let Some(prefix) = python_router_prefix(r.node, text, consts) {
                url = join_path(&prefix, &url);
            }
        }
        // Foundation's `var request = URLRequest(url: u)` then `request.httpMethod = "POST"`.
        if !r.route && node_text.starts_with("URLRequest(") {
            if let Some(m) = url_request_method(r.node, text) {
                method = m;
            }
        }
        // A Vapor route under the groups its receiver was made from.
        if r.route && r.node.kind() == "call_expression" {
            if let Some(receiver) = swift_receiver(r.node) {
                let path = join_path(&vapor_group_prefix(receiver, text, consts, 0), &url);
                url = format!("/{}", path.trim_start_matches('/'));
            }
        }
        // A typed client's relative call: under the base address its registration
        // gives, known when the service's constants are.
        if !r.route && r.typed && !absolute && !url.starts_with('{') {
            if let Some(class) = enclosing_class_name(r.node, text) {
                url = format!("{{base:{class}}}/{}", url.trim_start_matches('/'));
            }
        }
        if r.route {
            // Innermost scope first: each encloses the path built so far.
            for p in prefixes.iter().rev() {
                if p.scope.start_byte() <= r.node.start_byte()
                    && r.node.end_byte() <= p.scope.end_byte()
                {
                    let mut prefix = eval(p.path, text, consts, 0);
                    if prefix.contains("[controller]") {
                        let class = p
                            .scope
                            .child_by_field_name("name")
                            .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                            .unwrap_or("");
                        let name = class
                            .strip_suffix("Controller")
                            .unwrap_or(class)
                            .to_ascii_lowercase();
                        prefix = prefix.replace("[controller]", &name);
                    }
                    url = format!(
                        "{}/{}",
                        prefix.trim_end_matches('/'),
                        url.trim_start_matches('/')
                    );
                }
            }
        }
        let handler = r
            .handler
            .and_then(|h| h.utf8_text(text.as_bytes()).ok())
            .and_then(handler_name);
        // Phoenix's `resources "/orders", OrderController, only: [:index, :show]`:
        // the REST routes of the actions it keeps.
        let word = r.method.and_then(|m| m.utf8_text(text.as_bytes()).ok());
        if r.route && word == Some("resources") {
            let span = span_of(r.node);
            if out.iter().any(|o| o.span == span && o.route) {
                continue;
            }
            for (method, suffix, action) in resource_routes(node_text) {
                out.push(HttpFact {
                    route: true,
                    method: method.to_string(),
                    url: format!("{}{suffix}", url.trim_end_matches('/')),
                    span,
                    enclosing: None,
                    handler: Some(action.to_string()),
                    absolute_only: false,
                });
            }
            continue;
        }
        let fact = HttpFact {
            route: r.route,
            method,
            url,
            span: span_of(r.node),
            enclosing: None,
            handler,
            absolute_only: r.absolute_only && !absolute,
        };
        if !out
            .iter()
            .any(|o| o.span == fact.span && o.route == fact.route)
        {
            out.push(fact);
        }
    }
    out.sort_by_key(|f| f.span.start_byte);
    out
}

/// What a JAX-RS `client.target(url)` call is followed by: the segments its
/// `.path(..)` calls add, and the method of the request it ends in (`.put(..)`,
/// `.method("PATCH")`, `.buildPost(..)`), through `request`, `queryParam`, `header`
/// and the like. `client.target(base).path(name).path(id).request().put(e)` is
/// `PUT {base}/{name}/{id}` (the segments returned without a leading slash).
fn web_target_chain(
    target: Node<'_>,
    text: &str,
    consts: &Constants<'_>,
) -> (String, Option<String>) {
    web_chain(target, text, consts, None)
}

/// [`web_target_chain`] from any start; `client`, the parameter of a callback the
/// chain is made in: a segment the client gives itself (`.path(c.getEndpointURI())`)
/// is the base the callback's caller named, so the path starts after it. A static
/// wrapper around the chain so far (`HttpWrapper.wrap(chain).post(e)`) is followed.
fn web_chain(
    target: Node<'_>,
    text: &str,
    consts: &Constants<'_>,
    client: Option<&str>,
) -> (String, Option<String>) {
    let mut path = String::new();
    let mut at = target;
    loop {
        let parent = at.parent();
        let call = match parent {
            Some(p)
                if p.kind() == "method_invocation"
                    && p.child_by_field_name("object")
                        .is_some_and(|o| o.id() == at.id()) =>
            {
                p
            }
            // `Wrapper.wrap(chain)`: one argument, a static call.
            Some(args) => match static_wrapper(args, text) {
                Some(wrapper) => {
                    at = wrapper;
                    continue;
                }
                None => break,
            },
            None => break,
        };
        let name = call
            .child_by_field_name("name")
            .and_then(|n| n.utf8_text(text.as_bytes()).ok())
            .unwrap_or("");
        let first = call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0));
        let own = |a: Node<'_>| {
            a.kind() == "method_invocation"
                && a.child_by_field_name("object")
                    .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                    .is_some_and(|o| Some(o) == client)
        };
        match name {
            "path" if first.is_some_and(own) => path.clear(),
            "path" => {
                let segment = first.map_or("{}".to_string(), |a| eval(a, text, consts, 0));
                let segment = segment.trim_matches('/');
                if !segment.is_empty() {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(segment);
                }
            }
            "get" | "post" | "put" | "delete" | "head" | "options" | "patch" => {
                return (path, Some(name.to_ascii_uppercase()));
            }
            "buildGet" | "buildPost" | "buildPut" | "buildDelete" => {
                return (path, Some(name["build".len()..].to_ascii_uppercase()));
            }
            "method" | "build" => {
                let verb = first.map(|a| eval(a, text, consts, 0).to_ascii_uppercase());
                return (
                    path,
                    verb.filter(|v| v.chars().all(|c| c.is_ascii_uppercase()) && !v.is_empty()),
                );
            }
            "request" | "queryParam" | "matrixParam" | "resolveTemplate" | "resolveTemplates"
            | "header" | "headers" | "accept" | "acceptLanguage" | "acceptEncoding" | "cookie"
            | "cacheControl" | "property" | "register" | "async" | "rx" => {}
            _ => break,
        }
        at = call;
    }
    (path, None)
}

/// The call `args` are the arguments of, when it is a static wrapper of its one
/// argument (`HttpWrapper.wrap(x)`, `wrap(x)`): what it returns stands for `x`.
fn static_wrapper<'t>(args: Node<'t>, text: &str) -> Option<Node<'t>> {
    if args.kind() != "argument_list" || args.named_child_count() != 1 {
        return None;
    }
    args.parent().filter(|w| {
        w.kind() == "method_invocation"
            && w.child_by_field_name("object").is_none_or(|o| {
                o.kind() == "identifier"
                    && o.utf8_text(text.as_bytes())
                        .is_ok_and(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    })
}

/// The request a callback handed a client makes (`client -> client.getTarget()
/// .path("add").path(id).request().post(e)`): the path it adds and its method, from
/// the first chain started on the client that ends in a request. `None` when it
/// makes none.
fn callback_chain(
    callback: Node<'_>,
    text: &str,
    consts: &Constants<'_>,
) -> Option<(String, String)> {
    let params = callback.child_by_field_name("parameters")?;
    let client = if params.kind() == "identifier" {
        params
    } else {
        params.named_child(0)?
    };
    let client = client.utf8_text(text.as_bytes()).ok()?;
    let client = client.rsplit(' ').next().unwrap_or(client);
    let body = callback.child_by_field_name("body")?;
    // The chains' starts: calls on the client that are no other call's arguments
    // (`.path(client.getEndpointURI())`), a static wrapper's aside; the first in the
    // source that makes a request.
    let mut starts: Vec<Node<'_>> = Vec::new();
    each_named_node(body, |n| {
        if n.kind() == "method_invocation"
            && n.child_by_field_name("object")
                .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                .is_some_and(|o| o == client)
            && n.parent()
                .is_some_and(|p| p.kind() != "argument_list" || static_wrapper(p, text).is_some())
        {
            starts.push(n);
        }
    });
    starts.sort_by_key(|n| n.start_byte());
    starts.into_iter().find_map(|n| {
        // `client.post(e)`: the client makes the request itself.
        let name = n
            .child_by_field_name("name")
            .and_then(|x| x.utf8_text(text.as_bytes()).ok())
            .unwrap_or("");
        if matches!(name, "get" | "post" | "put" | "delete" | "patch" | "head") {
            return Some((String::new(), name.to_ascii_uppercase()));
        }
        match web_chain(n, text, consts, Some(client)) {
            (path, Some(verb)) => Some((path, verb)),
            _ => None,
        }
    })
}

/// The routes Phoenix's `resources` declares, as (method, path suffix, action), kept
/// by its `only:` and `except:` lists (written in `declared`).
fn resource_routes(declared: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    const ALL: [(&str, &str, &str); 8] = [
        ("GET", "", "index"),
        ("GET", "/new", "new"),
        ("POST", "", "create"),
        ("GET", "/{id}", "show"),
        ("GET", "/{id}/edit", "edit"),
        ("PATCH", "/{id}", "update"),
        ("PUT", "/{id}", "update"),
        ("DELETE", "/{id}", "delete"),
    ];
    let listed = |key: &str| -> Option<Vec<&str>> {
        let rest = &declared[declared.find(key)? + key.len()..];
        let list = &rest[rest.find('[')? + 1..rest.find(']')?];
        Some(
            list.split(',')
                .map(|a| a.trim().trim_start_matches(':'))
                .collect(),
        )
    };
    let only = listed("only:");
    let except = listed("except:").unwrap_or_default();
    ALL.into_iter()
        .filter(|(_, _, action)| {
            only.as_ref().is_none_or(|o| o.contains(action)) && !except.contains(action)
        })
        .collect()
}

/// The name of the function a handler expression registers: `getCart`,
/// `ctrl.getCart`, `this.getCart.bind(this)`, `Cart::get`, a class-based view
/// (`views.Pay.as_view()` is answered by its class), or the one function a wrapper
/// is given (`asyncHandler(getCart)`). `None` for an inline function.
pub(crate) fn handler_name(expr: &str) -> Option<String> {
    let mut h = expr.trim();
    for suffix in [".as_view(", ".bind("] {
        if let Some(i) = h.find(suffix) {
            h = &h[..i];
        }
    }
    // A wrapper around one named function.
    if let Some((callee, rest)) = h.split_once('(') {
        let inner = rest.strip_suffix(')').unwrap_or(rest).trim();
        if is_name_path(callee.trim()) && is_name_path(inner) && !inner.is_empty() {
            h = inner;
        }
    }
    let name = h.rsplit(['.', ':']).next().unwrap_or(h);
    (!name.is_empty() && is_name_path(name) && is_name_path(h)).then(|| name.to_string())
}

/// Whether `s` is a dotted (or `::`) path of identifiers.
fn is_name_path(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | ':'))
}

/// A captured topic producer or consumer, as the query found it.
pub(crate) struct RawTopic<'t> {
    /// Whether it publishes (else it consumes).
    pub(crate) produce: bool,
    /// The producing or consuming node.
    pub(crate) node: Node<'t>,
    /// The topic's expression (for AMQP, the routing key or queue).
    pub(crate) name: Node<'t>,
    /// An AMQP exchange: when it is not the default (empty) exchange, messages go
    /// to the queues bound to it, so it names the topic instead of the routing key.
    pub(crate) exchange: Option<Node<'t>>,
    /// Whether `name` names the message's type rather than a destination (an event
    /// bus keyed by message types; see [`message_type`]).
    pub(crate) by_type: bool,
    /// The type whose `Handle` method a subscription registers
    /// (`AddSubscription<OrderPaid, OrderPaidHandler>()`).
    pub(crate) listener: Option<Node<'t>>,
    /// Whether `name` is a function whose name names a binding (see
    /// `Role::TopicBinding`).
    pub(crate) binding: bool,
}

/// Builds the facts of the captured topic producers and consumers.
pub(crate) fn topics(
    raw: Vec<RawTopic<'_>>,
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<TopicFact> {
    let mut out: Vec<TopicFact> = Vec::new();
    // Where an exchange and a bare key were both captured for a call, the exchange
    // is looked at first.
    let mut raw = raw;
    raw.sort_by_key(|r| (r.node.start_byte(), r.node.end_byte(), r.exchange.is_none()));
    // Bindings of a queue to an exchange (what is published to the exchange reaches
    // the queue), and the calls consuming a queue, by their index in `out`.
    let (mut binds, mut consumes) = (Vec::new(), Vec::new());
    // Consumes made by a call (not declared on a handler).
    let mut call_consumes = Vec::new();
    let root = raw.first().map(|r| root_of(r.node));
    for RawTopic {
        produce,
        node,
        name,
        exchange,
        by_type,
        listener,
        binding,
    } in raw
    {
        let before = out.len();
        let is_bind = !produce && is_queue_bind(node, text);
        let queue = is_bind.then(|| bound_queue(node, text, consts)).flatten();
        let is_call = node.kind().contains("invocation") || node.kind().contains("call");
        let mut note = |out: &mut Vec<TopicFact>| {
            if out.len() > before && !produce && is_call && !is_bind {
                call_consumes.push(before);
            }
            if out.len() > before && !produce {
                if is_bind {
                    out[before].queue = queue.clone();
                    binds.push(before);
                } else {
                    consumes.push(before);
                }
            }
        };
        if let Some(exchange) = exchange {
            let mut exchange_name = unpassed(eval(exchange, text, consts, 0));
            if exchange_name == "{}" {
                exchange_name = declared_exchange(exchange, text, consts)
                    .or_else(|| topic_reference(exchange, text))
                    .unwrap_or(exchange_name);
            }
            let exchange = exchange_name;
            if !exchange.is_empty() && exchange != "{}" {
                push_topic(&mut out, produce, exchange, span_of(node));
                note(&mut out);
                continue;
            }
        }
        let written = name.utf8_text(text.as_bytes()).unwrap_or("");
        if let Some(channel) = stream_channel(written, binding, produce) {
            push_topic(&mut out, produce, channel, span_of(node));
            note(&mut out);
            continue;
        }
        if by_type {
            let Some(topic) = message_type(name, text) else {
                continue;
            };
            push_topic(&mut out, produce, topic, span_of(node));
            if out.len() > before {
                out[before].by_type = true;
                let handler = listener.and_then(|l| message_type(l, text));
                out[before].listener = handler.map(|h| (h, "Handle".to_string()));
            }
            note(&mut out);
            continue;
        }
        // A list of topics names its first.
        let name = match name.kind() {
            "array"
            | "list"
            | "array_creation_expression"
            | "array_expression"
            | "element_value_array_initializer" => name.named_child(0).unwrap_or(name),
            // Go `[]string{"orders"}`: the first element of its body.
            "composite_literal" => name
                .child_by_field_name("body")
                .and_then(|b| b.named_child(0))
                .and_then(|e| e.named_child(0).or(Some(e)))
                .unwrap_or(name),
            // Java `List.of("orders")`, `Arrays.asList(...)`: the first argument.
            "method_invocation"
                if name.child_by_field_name("name").is_some_and(|n| {
                    matches!(
                        n.utf8_text(text.as_bytes()).unwrap_or(""),
                        "of" | "asList" | "singletonList"
                    )
                }) =>
            {
                name.child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .unwrap_or(name)
            }
            // Rust `&["orders"]`: the array behind the reference.
            "reference_expression" => name
                .child_by_field_name("value")
                .map(|v| v.named_child(0).unwrap_or(v))
                .unwrap_or(name),
            _ => name,
        };
        // (A parameter of the function around: named where it is called, see
        // `passed_arguments`.)
        let mut topic = eval(name, text, consts, 0);
        if topic == "{}" {
            topic = topic_reference(name, text).unwrap_or(topic);
        }
        // An AMQP 1.0 address of a RabbitMQ queue (`/queues/orders`) names the queue.
        if let Some(queue) = topic.strip_prefix("/queues/") {
            topic = queue.to_string();
        }
        if topic.is_empty() || topic == "{}" {
            continue;
        }
        push_topic(&mut out, produce, topic, span_of(node));
        note(&mut out);
    }
    // A file that binds a queue and consumes one queue: the binding's messages are
    // handled where it consumes.
    if let [consume] = consumes[..] {
        let at = out[consume].span;
        for b in binds {
            out[b].span = at;
        }
    }
    // Listener containers: the messages go to the listener object they are given.
    let called: Vec<usize> = consumes
        .iter()
        .copied()
        .filter(|c| call_consumes.contains(c))
        .collect();
    if let (false, Some(root)) = (called.is_empty(), root) {
        if let Some(listener) = container_listener(root, text) {
            for c in called {
                out[c].listener = Some(listener.clone());
            }
        }
    }
    out.sort_by_key(|f| f.span.start_byte);
    out
}

/// The message type an event bus keyed by message types routes by: a type as
/// written (`Publish<OrderPaid>`, `AddSubscription<OrderPaid, H>`, the type argument
/// of a handler interface), the type of an object made in place (`new OrderPaid(..)`),
/// or of a local made from one in the same function (`var evt = new OrderPaid(..)`,
/// `OrderPaid evt = new(..)`). Built-in types, strings and anonymous objects are no
/// message types; neither is a value of unknown type (a parameter's declared type is
/// often the bus's base type).
fn message_type(node: Node<'_>, text: &str) -> Option<String> {
    let src = |n: Node<'_>| n.utf8_text(text.as_bytes()).unwrap_or("");
    let in_arguments = node
        .parent()
        .is_some_and(|p| matches!(p.kind(), "argument" | "argument_list"));
    let written = match node.kind() {
        "object_creation_expression" => src(node.child_by_field_name("type")?),
        "identifier" if in_arguments => return local_message_type(node, text),
        "identifier"
        | "generic_name"
        | "qualified_name"
        | "type_identifier"
        | "scoped_type_identifier"
        | "generic_type" => src(node),
        _ => return None,
    };
    let base = written.split('<').next().unwrap_or(written).trim();
    let name = base.rsplit(['.', ':']).next().unwrap_or(base);
    let builtin = matches!(
        name,
        "String" | "Object" | "Integer" | "Long" | "Boolean" | "Byte" | "Guid" | "Uri"
    );
    (name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !builtin)
        .then(|| name.to_string())
}

/// The message type of a local made from an object in the same function (see
/// [`message_type`]).
fn local_message_type(ident: Node<'_>, text: &str) -> Option<String> {
    let value = local_value(ident, text)?;
    match value.kind() {
        "object_creation_expression" => message_type(value, text),
        // `OrderPaid evt = new(..)`: the declared type.
        "implicit_object_creation_expression" => value
            .parent()
            .and_then(|d| d.parent())
            .and_then(|d| d.child_by_field_name("type"))
            .and_then(|t| message_type(t, text)),
        _ => None,
    }
}

/// The value the local `ident` names was initialised with: its nearest declaration
/// before the use, in the same function (`var api = app.MapGroup(..)`).
fn local_value<'t>(ident: Node<'t>, text: &str) -> Option<Node<'t>> {
    let wanted = ident.utf8_text(text.as_bytes()).ok()?;
    let mut scope = ident.parent();
    while let Some(s) = scope {
        let k = s.kind();
        let callable = k.contains("method") || k.contains("function") || k.contains("constructor");
        // (A call is no scope: `method_invocation`, `function_call`.)
        if callable && !k.contains("invocation") && !k.contains("call") {
            break;
        }
        scope = s.parent();
    }
    // The nearest declaration before the use: (its start, its value).
    let mut found: Option<(usize, Option<Node<'t>>)> = None;
    each_named_node(scope?, |n| {
        let declares = n.kind() == "variable_declarator"
            && n.start_byte() < ident.start_byte()
            && n.child_by_field_name("name")
                .and_then(|v| v.utf8_text(text.as_bytes()).ok())
                == Some(wanted);
        if !declares || found.as_ref().is_some_and(|(at, _)| *at > n.start_byte()) {
            return;
        }
        let mut c = n.walk();
        let value = n
            .child_by_field_name("value")
            .or_else(|| n.named_children(&mut c).last())
            .filter(|v| v.kind() != "identifier" || v.start_byte() > n.start_byte());
        found = Some((n.start_byte(), value));
    });
    found.and_then(|(_, v)| v)
}

/// Spring Cloud Stream's channel a name stands for: a functional bean's binding
/// (`orders` reads `orders-in-0`, writes `orders-out-0`), or the channels the
/// `Sink`, `Source` and `Processor` interfaces name (`input`, `output`).
fn stream_channel(written: &str, binding: bool, produce: bool) -> Option<String> {
    match written {
        "Sink.INPUT" | "Processor.INPUT" => Some("input".to_string()),
        "Source.OUTPUT" | "Processor.OUTPUT" => Some("output".to_string()),
        _ if binding => Some(format!(
            "{written}-{}-0",
            if produce { "out" } else { "in" }
        )),
        _ => None,
    }
}

/// The exchange a name stands for when the file declares exactly one
/// (`new TopicExchange(exchangeName)` in a `@Bean` method, whose result Spring passes
/// as the `exchange` parameter of another): its name.
fn declared_exchange(name: Node<'_>, text: &str, consts: &Constants<'_>) -> Option<String> {
    declared(name, text, consts, |ty| ty.ends_with("Exchange"))
}

/// The queue a binding binds: the argument of `BindingBuilder.bind(...)`, else the
/// call's first argument or its `queue=` (`queueBind(queue, exchange, key)`,
/// `QueueBind(name, key, exchange)`, `queue_bind(queue=..., exchange=...)`,
/// `bindQueue(queue, source, pattern)`); a parameter Spring passes stands for the
/// queue the file declares (`new Queue(name)`).
fn bound_queue(call: Node<'_>, text: &str, consts: &Constants<'_>) -> Option<String> {
    let builder = call
        .child_by_field_name("object")
        .filter(|o| o.kind() == "method_invocation");
    let list = builder.unwrap_or(call).child_by_field_name("arguments")?;
    let arg = keyword_value(list, &["queue"], text).or_else(|| list.named_child(0))?;
    let value = unpassed(eval(arg, text, consts, 0));
    let value = if value == "{}" || value.is_empty() {
        declared(arg, text, consts, |ty| ty == "Queue").or_else(|| topic_reference(arg, text))?
    } else {
        value
    };
    (!value.contains("{}")).then_some(value)
}

/// The name given to the one object of a type `wanted` accepts that the file creates
/// (`new TopicExchange(name)`), for an identifier that stands for it.
fn declared(
    name: Node<'_>,
    text: &str,
    consts: &Constants<'_>,
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    if name.kind() != "identifier" {
        return None;
    }
    let mut root = name;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let mut found: Vec<String> = Vec::new();
    let complete = each_named_node(root, |node| {
        if node.kind() == "object_creation_expression" {
            let ty = node
                .child_by_field_name("type")
                .and_then(|t| t.utf8_text(text.as_bytes()).ok())
                .unwrap_or("");
            let ty = ty.rsplit('.').next().unwrap_or(ty);
            if wanted(ty) {
                let value = node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .map(|a| eval(a, text, consts, 0));
                if let Some(v) = value.filter(|v| !v.is_empty() && !v.contains(['{', '}'])) {
                    if !found.contains(&v) {
                        found.push(v);
                    }
                }
            }
        }
    });
    match &found[..] {
        [one] if complete => Some(one.clone()),
        _ => None,
    }
}

/// The listener object a listener container is given, as (its type, the method that
/// handles messages): `new MessageListenerAdapter(handler[, "method"])` (Spring AMQP
/// and JMS: `handleMessage` unless named), else `setMessageListener(listener)`
/// (`onMessage`). The handler is a field or local of a declared type, a `new T(...)`,
/// or `this`. `None` unless the file gives exactly one.
fn container_listener(root: Node<'_>, text: &str) -> Option<(String, String)> {
    let src = |n: Node<'_>| n.utf8_text(text.as_bytes()).unwrap_or("");
    let base_type = |t: &str| {
        let t = t.split('<').next().unwrap_or(t).trim();
        t.rsplit('.').next().unwrap_or(t).to_string()
    };
    // Declared types of fields and locals, and the enclosing class of each node.
    let mut declared: HashMap<String, String> = HashMap::new();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut candidates: Vec<(Node<'_>, &str)> = Vec::new();
    let complete = each_named_node(root, |node| match node.kind() {
        "field_declaration" | "local_variable_declaration" => {
            if let Some(ty) = node.child_by_field_name("type") {
                let mut c = node.walk();
                for d in node.children_by_field_name("declarator", &mut c) {
                    if let Some(name) = d.child_by_field_name("name") {
                        declared.insert(src(name).to_string(), base_type(src(ty)));
                    }
                }
            }
        }
        "object_creation_expression" => {
            let ty = node.child_by_field_name("type").map(src).unwrap_or("");
            if base_type(ty) == "MessageListenerAdapter" {
                candidates.push((node, "handleMessage"));
            }
        }
        "method_invocation" => {
            let name = node.child_by_field_name("name").map(src).unwrap_or("");
            if name == "setMessageListener" {
                candidates.push((node, "onMessage"));
            }
        }
        _ => {}
    });
    if !complete {
        return None;
    }
    for (node, default_method) in candidates {
        let Some(args) = node.child_by_field_name("arguments") else {
            continue;
        };
        let mut c = args.walk();
        let args: Vec<Node<'_>> = args.named_children(&mut c).collect();
        let Some(first) = args.first() else { continue };
        let ty = match first.kind() {
            "identifier" => declared.get(src(*first)).cloned(),
            "field_access" => {
                let name = first.child_by_field_name("field").map(src).unwrap_or("");
                declared.get(name).cloned()
            }
            "object_creation_expression" => {
                first.child_by_field_name("type").map(|t| base_type(src(t)))
            }
            "this" => {
                let mut n = *first;
                loop {
                    match n.parent() {
                        Some(p) if p.kind() == "class_declaration" => {
                            break p.child_by_field_name("name").map(|t| src(t).to_string());
                        }
                        Some(p) => n = p,
                        None => break None,
                    }
                }
            }
            _ => None,
        };
        // The adapter wraps the handler; a listener given to the container directly
        // (the adapter itself is not the handler).
        let Some(ty) = ty.filter(|t| t != "MessageListenerAdapter" && !t.is_empty()) else {
            continue;
        };
        let method = args
            .get(1)
            .filter(|a| a.kind() == "string_literal")
            .map(|a| strip_quotes(src(*a)).to_string())
            .unwrap_or_else(|| default_method.to_string());
        if !found.contains(&(ty.clone(), method.clone())) {
            found.push((ty, method));
        }
    }
    match &found[..] {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Calls `f` on every named node under `root`, depth first, up to a node budget (a
/// huge file is not read whole): whether every node was seen.
fn each_named_node<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) -> bool {
    let mut stack = vec![root];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 200_000 {
            return false;
        }
        f(node);
        let mut c = node.walk();
        stack.extend(node.named_children(&mut c));
    }
    true
}

/// Whether a call binds a queue to an exchange (`QueueBind`, `queue_bind`,
/// `bindQueue`, `QueueBindAsync`, Spring's `BindingBuilder.bind(queue).to(exchange)`).
fn is_queue_bind(call: Node<'_>, text: &str) -> bool {
    let callee = call
        .utf8_text(text.as_bytes())
        .unwrap_or("")
        .split('(')
        .next()
        .unwrap_or("");
    // A chained call's own name (`BindingBuilder.bind(q).to(x)` is a `to`).
    let named = call
        .child_by_field_name("name")
        .and_then(|n| n.utf8_text(text.as_bytes()).ok());
    let method = named.unwrap_or_else(|| callee.rsplit(['.', ':']).next().unwrap_or("").trim());
    let lower = method.to_ascii_lowercase().replace('_', "");
    matches!(lower.as_str(), "queuebind" | "bindqueue" | "queuebindasync")
        || (method == "to" && callee.trim_start().starts_with("BindingBuilder"))
}

/// `prefix` and `path` joined by one `/` (a path with a prefix starts with `/`).
fn join_path(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        return path.to_string();
    }
    format!("/{prefix}/{}", path.trim_start_matches('/'))
        .trim_end_matches('/')
        .to_string()
}

/// The prefix of the route groups a minimal-API route is mapped on:
/// `app.MapGroup("api/catalog").MapGet(..)`, also through locals
/// (`var api = app.MapGroup("api").HasApiVersion(1.0); api.MapGroup("v1").MapGet(..)`)
/// and other calls configuring the group (`WithTags`, `RequireAuthorization`).
fn group_prefix(node: Node<'_>, text: &str, consts: &Constants<'_>, depth: usize) -> String {
    if depth > 8 {
        return String::new();
    }
    match node.kind() {
        "invocation_expression" => {
            let Some(function) = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "member_access_expression")
            else {
                return String::new();
            };
            let inner = function
                .child_by_field_name("expression")
                .map(|e| group_prefix(e, text, consts, depth + 1))
                .unwrap_or_default();
            let name = function
                .child_by_field_name("name")
                .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                .unwrap_or("");
            if name != "MapGroup" {
                return inner;
            }
            let own = node
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|a| a.named_child(0))
                .map(|a| eval(a, text, consts, 0))
                .filter(|p| !p.contains("{}"))
                .unwrap_or_default();
            join_path(&inner, &own)
        }
        "identifier" => local_value(node, text)
            .map(|v| group_prefix(v, text, consts, depth + 1))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The prefix a Python route decorator's object was made with at the top level of
/// its file: FastAPI's `router = APIRouter(prefix="/generate")` for
/// `@router.post("/image")`, Flask's `bp = Blueprint("cart", __name__,
/// url_prefix="/cart")` for `@bp.route("/items")`.
fn python_router_prefix(route: Node<'_>, text: &str, consts: &Constants<'_>) -> Option<String> {
    let mut c = route.walk();
    let decorator = route
        .named_children(&mut c)
        .filter(|d| d.kind() == "decorator")
        .find_map(|d| d.named_child(0).filter(|call| call.kind() == "call"))?;
    let object = decorator
        .child_by_field_name("function")?
        .child_by_field_name("object")
        .filter(|o| o.kind() == "identifier")?;
    let name = object.utf8_text(text.as_bytes()).ok()?;
    let module = root_of(route);
    let mut c = module.walk();
    let made = module.named_children(&mut c).find_map(|statement| {
        let assignment = statement
            .named_child(0)
            .filter(|a| statement.kind() == "expression_statement" && a.kind() == "assignment")?;
        let left = assignment.child_by_field_name("left")?;
        (left.utf8_text(text.as_bytes()).ok()? == name)
            .then(|| assignment.child_by_field_name("right"))?
            .filter(|r| r.kind() == "call")
    })?;
    let prefix = keyword_value(
        made.child_by_field_name("arguments")?,
        &["prefix", "url_prefix"],
        text,
    )?;
    Some(eval(prefix, text, consts, 0)).filter(|p| p.starts_with('/') && !p.contains("{}"))
}

/// The value of the first of a Python call's keyword arguments (`arguments`, its
/// argument list) named one of `names`.
fn keyword_value<'t>(arguments: Node<'t>, names: &[&str], text: &str) -> Option<Node<'t>> {
    let mut c = arguments.walk();
    let found = arguments.named_children(&mut c).find(|a| {
        a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                .is_some_and(|n| names.contains(&n))
    });
    found?.child_by_field_name("value")
}

/// The root of the syntax tree `node` is in.
fn root_of(node: Node<'_>) -> Node<'_> {
    let mut root = node;
    while let Some(p) = root.parent() {
        root = p;
    }
    root
}

/// The method a Swift `URLRequest` is given after it is made: `request.httpMethod =
/// "POST"` in the function that declares `request` with it.
fn url_request_method(call: Node<'_>, text: &str) -> Option<String> {
    let mut declaration = call.parent();
    while let Some(d) = declaration.filter(|d| d.kind() != "property_declaration") {
        if matches!(d.kind(), "statements" | "function_body" | "source_file") {
            return None;
        }
        declaration = d.parent();
    }
    let declaration = declaration?;
    let name = declaration
        .child_by_field_name("name")
        .and_then(|p| p.child_by_field_name("bound_identifier"))
        .and_then(|b| b.utf8_text(text.as_bytes()).ok())?;
    let scope = declaration.parent()?;
    let after = &text[declaration.end_byte()..scope.end_byte()];
    let set = format!("{name}.httpMethod");
    let at = after.find(&set)?;
    let rest = after[at + set.len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let rest = rest.strip_prefix('"')?;
    let m = method_of(&rest[..rest.find('"')?]);
    (m != "*").then_some(m)
}

/// What a Swift call is made on: `carts` of `carts.get(..)`.
fn swift_receiver(call: Node<'_>) -> Option<Node<'_>> {
    let function = call
        .named_child(0)
        .filter(|f| f.kind() == "navigation_expression")?;
    function
        .child_by_field_name("suffix")
        .filter(|s| s.kind() == "navigation_suffix")?;
    function.child_by_field_name("target")
}

/// The path prefix of the Vapor route groups `node` (a route's receiver) was made
/// from: `routes.grouped("api", "carts")`, a local holding one (`let carts =
/// routes.grouped("carts")`), or the closure parameter of `routes.group("carts") {
/// carts in .. }`.
fn vapor_group_prefix(node: Node<'_>, text: &str, consts: &Constants<'_>, depth: usize) -> String {
    if depth > 8 {
        return String::new();
    }
    match node.kind() {
        "call_expression" => {
            let Some(receiver) = swift_receiver(node) else {
                return String::new();
            };
            let inner = vapor_group_prefix(receiver, text, consts, depth + 1);
            let name = node
                .named_child(0)
                .and_then(|f| f.child_by_field_name("suffix"))
                .and_then(|s| s.child_by_field_name("suffix"))
                .and_then(|n| n.utf8_text(text.as_bytes()).ok());
            if !matches!(name, Some("grouped" | "group")) {
                return inner;
            }
            let own = swift_arguments(node)
                .map(|a| eval(a, text, consts, 0))
                .filter(|p| !p.contains("{}"))
                .unwrap_or_default();
            join_path(&inner, &own)
        }
        "simple_identifier" => {
            let name = node.utf8_text(text.as_bytes()).unwrap_or("");
            if let Some(group) = closure_group(node, name, text) {
                return vapor_group_prefix(group, text, consts, depth + 1);
            }
            swift_local_value(node, name, text)
                .map(|v| vapor_group_prefix(v, text, consts, depth + 1))
                .unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The `group(..)` call whose trailing closure binds `name` as its parameter, around
/// `node`: `routes.group("carts") { carts in carts.get(..) }`.
fn closure_group<'t>(node: Node<'t>, name: &str, text: &str) -> Option<Node<'t>> {
    let mut at = node.parent();
    while let Some(n) = at {
        if n.kind() == "lambda_literal" {
            let mut binds = false;
            if let Some(params) = n.child_by_field_name("type") {
                each_named_node(params, |p| {
                    binds = binds
                        || (p.kind() == "lambda_parameter"
                            && p.child_by_field_name("name")
                                .and_then(|v| v.utf8_text(text.as_bytes()).ok())
                                == Some(name));
                });
            }
            if binds {
                return n.parent().filter(|s| s.kind() == "call_suffix")?.parent();
            }
        }
        at = n.parent();
    }
    None
}

/// The value the Swift local `name` was declared with before `node`, in the
/// function around it (`let carts = routes.grouped("carts")`).
fn swift_local_value<'t>(node: Node<'t>, name: &str, text: &str) -> Option<Node<'t>> {
    let mut scope = node.parent();
    while let Some(s) = scope {
        if matches!(s.kind(), "function_body" | "lambda_literal" | "source_file") {
            break;
        }
        scope = s.parent();
    }
    let mut found: Option<Node<'t>> = None;
    each_named_node(scope?, |n| {
        if n.kind() != "property_declaration" || n.start_byte() >= node.start_byte() {
            return;
        }
        let declared = n
            .child_by_field_name("name")
            .and_then(|p| p.child_by_field_name("bound_identifier"))
            .and_then(|b| b.utf8_text(text.as_bytes()).ok());
        if declared == Some(name) {
            found = n.child_by_field_name("value");
        }
    });
    found
}

/// The name of the class or record around `node`.
fn enclosing_class_name(node: Node<'_>, text: &str) -> Option<String> {
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(n.kind(), "class_declaration" | "record_declaration") {
            return n
                .child_by_field_name("name")
                .and_then(|n| n.utf8_text(text.as_bytes()).ok())
                .map(str::to_string);
        }
        at = n.parent();
    }
    None
}

/// The base addresses typed HTTP clients are registered with
/// (`AddHttpClient<CatalogService>(c => c.BaseAddress = new("http://catalog"))`,
/// `new Uri(url)`), as constants `CatalogService(BaseAddress)` the relative calls
/// of the client's class go to (see [`fill_base`]). Service discovery's
/// `https+http://` scheme is the service's HTTP address.
pub(crate) fn client_bases(
    registrations: &[Node<'_>],
    consts: &Constants<'_>,
    text: &str,
) -> Vec<NamedValue> {
    let mut out: Vec<NamedValue> = Vec::new();
    for call in registrations {
        // The implementation is the last type argument (`AddHttpClient<IFoo, Foo>`).
        let class = call
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("name"))
            .and_then(|g| g.named_child(1))
            .and_then(|args| {
                let mut c = args.walk();
                args.named_children(&mut c).last()
            })
            .and_then(|t| t.utf8_text(text.as_bytes()).ok())
            .map(|t| t.rsplit('.').next().unwrap_or(t).to_string());
        let Some(class) = class else { continue };
        let mut value = None;
        each_named_node(*call, |n| {
            let assigns_base = n.kind() == "assignment_expression"
                && n.child_by_field_name("left")
                    .and_then(|l| l.utf8_text(text.as_bytes()).ok())
                    .is_some_and(|l| l.ends_with("BaseAddress"));
            if !assigns_base || value.is_some() {
                return;
            }
            // `new Uri(url)`, `new(url)`, or the URL itself.
            let right = n.child_by_field_name("right");
            let url = right
                .filter(|r| r.kind().contains("object_creation_expression"))
                .and_then(|r| {
                    let mut c = r.walk();
                    let args = r
                        .named_children(&mut c)
                        .find(|a| a.kind() == "argument_list");
                    args
                })
                .and_then(|a| a.named_child(0))
                .and_then(|a| a.named_child(0))
                .or(right);
            value = url.map(|u| eval(u, text, consts, 0));
        });
        let Some(value) = value.filter(|v| !v.contains("{}")) else {
            continue;
        };
        let value =
            value
                .replacen("https+http://", "http://", 1)
                .replacen("http+https://", "http://", 1);
        // An absolute URL, or the configuration entry holding one.
        if is_absolute_url(&value) || value.starts_with("{env:") {
            out.push(NamedValue {
                name: format!("{class}(BaseAddress)"),
                value,
            });
        }
    }
    out
}

/// A typed client's relative call (`{base:CatalogService}/api/items`) under the
/// base address `lookup` finds for its class (`CatalogService(BaseAddress)`), else
/// the path alone.
pub fn fill_base(url: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let Some((class, path)) = url
        .strip_prefix("{base:")
        .and_then(|rest| rest.split_once('}'))
    else {
        return url.to_string();
    };
    match lookup(&format!("{class}(base,BaseAddress)")) {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_string(),
    }
}

/// Builds the facts of captured route-table mounts: (the mounting node, the prefix's
/// expression, the mounted module's expression). A router or blueprint object
/// (`items.router`, Python) mounts the module the file's `imports` bring it from.
pub(crate) fn mounts(
    raw: Vec<(Node<'_>, Node<'_>, Node<'_>)>,
    imports: &[Import],
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<HttpMount> {
    let mut out: Vec<HttpMount> = Vec::new();
    for (node, prefix, target) in raw {
        let target = match target.kind() {
            "identifier" | "attribute" => target
                .utf8_text(text.as_bytes())
                .ok()
                .and_then(|written| python_router_module(written, imports))
                .unwrap_or_default(),
            _ => eval(target, text, consts, 0),
        };
        if target.is_empty() || target.contains("{}") {
            continue;
        }
        let span = span_of(node);
        if !out.iter().any(|m| m.span == span) {
            out.push(HttpMount {
                prefix: eval(prefix, text, consts, 0),
                target,
                span,
            });
        }
    }
    out.sort_by_key(|m| m.span.start_byte);
    out
}

/// The module a Python router object written `written` comes from, dotted and
/// without leading dots: `routers.items` for `items.router` after `from .routers
/// import items`, or for `items_router` after `from .routers.items import router as
/// items_router`; the object's own module path otherwise (`items` of `items.router`).
fn python_router_module(written: &str, imports: &[Import]) -> Option<String> {
    // The module part of `items.router`, or the name alone.
    let (module, name) = match written.rsplit_once('.') {
        Some((module, _)) => (Some(module), module.split('.').next()?),
        None => (None, written),
    };
    // (the module imported from, the name as it is there)
    let imported = imports.iter().find_map(|i| {
        let original = match &i.alias {
            Some(alias) if alias == name => i.names.first().map_or("", String::as_str),
            None => i.names.iter().find(|n| *n == name)?.as_str(),
            Some(_) => return None,
        };
        Some((i.module.trim_start_matches('.'), original))
    });
    let dotted = |a: &str, b: &str| match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}.{b}"),
    };
    Some(match (imported, module) {
        // `from .routers import items` then `items.router`: the module `routers.items`.
        (Some((from, original)), Some(module)) => dotted(
            &dotted(from, original),
            module[name.len()..].trim_start_matches('.'),
        ),
        // `from .routers.items import router as items_router`: `routers.items`.
        (Some((from, _)), None) => from.to_string(),
        (None, Some(module)) => module.to_string(),
        (None, None) => return None,
    })
    .filter(|m| !m.is_empty())
}

/// Adds a topic fact unless one was made for the same node and direction (the first
/// pattern wins; a Spring `Function` bean both reads and writes).
fn push_topic(out: &mut Vec<TopicFact>, produce: bool, topic: String, span: Span) {
    if !out.iter().any(|o| o.span == span && o.produce == produce) {
        out.push(TopicFact {
            produce,
            topic,
            span,
            enclosing: None,
            queue: None,
            listener: None,
            by_type: false,
        });
    }
}

/// A gateway's forwarding (`app.use("/api/ads", createProxyMiddleware({ target,
/// pathRewrite }))`): a route for every path under the prefix, and a call to the
/// target with the prefix rewritten. (node, prefix, target)
pub(crate) fn proxies(
    raw: Vec<(Node<'_>, Node<'_>, Node<'_>)>,
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<HttpFact> {
    let mut out = Vec::new();
    for (node, prefix, target) in raw {
        let prefix = eval(prefix, text, consts, 0);
        let target = eval(target, text, consts, 0);
        let declared = node.utf8_text(text.as_bytes()).unwrap_or("");
        // `pathRewrite: { "^/api/ads": "/ads" }` replaces the prefix.
        let rewritten = declared
            .find("pathRewrite")
            .and_then(|at| {
                let quoted: Vec<&str> = declared[at..]
                    .split(['"', '\''])
                    .skip(1)
                    .step_by(2)
                    .take(2)
                    .collect();
                (quoted.len() == 2).then(|| quoted[1].to_string())
            })
            .unwrap_or_else(|| prefix.clone());
        let span = span_of(node);
        out.push(HttpFact {
            route: true,
            method: "*".to_string(),
            url: format!("{}/**", prefix.trim_end_matches('/')),
            span,
            enclosing: None,
            handler: None,
            absolute_only: false,
        });
        out.push(HttpFact {
            route: false,
            method: "*".to_string(),
            url: format!(
                "{}/{}/**",
                target.trim_end_matches('/'),
                rewritten.trim_matches('/')
            )
            .replace("//**", "/**"),
            span,
            enclosing: None,
            handler: None,
            absolute_only: false,
        });
    }
    out
}

/// The interface a method is declared in, if it is in one.
fn enclosing_interface(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind() {
            "interface_declaration" => return Some(n),
            "class_declaration" | "program" => return None,
            _ => at = n.parent(),
        }
    }
    None
}

/// The base URL a `@FeignClient` declaration names: its `url`, else
/// `http://<name>` (the service discovery name), else nothing known.
fn feign_base(declaration: &str) -> String {
    let Some(at) = declaration.find("@FeignClient") else {
        return "{}".to_string();
    };
    let args = &declaration[at..];
    let args = &args[..args.find(')').unwrap_or(args.len())];
    let quoted = |key: &str| -> Option<String> {
        let rest = &args[args.find(key)? + key.len()..];
        let rest = rest
            .trim_start()
            .strip_prefix('=')?
            .trim_start()
            .strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    };
    if let Some(url) = quoted("url") {
        return url;
    }
    let name = quoted("name").or_else(|| quoted("value")).or_else(|| {
        let rest = args.split_once('(')?.1.trim_start().strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    });
    name.map_or("{}".to_string(), |n| format!("http://{n}"))
}

/// The method an options argument names: `method: "POST"`, `methods=["PUT"]`,
/// `RequestMethod.DELETE`, `HttpMethod.Patch`.
fn method_in_options(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    for key in [
        "method:",
        "method=",
        "method =",
        "methods=[",
        "methods={",
        "requestmethod.",
        "httpmethod.",
        // Dapr's Python SDK: `http_verb="GET"`.
        "verb=",
    ] {
        if let Some(at) = lower.find(key) {
            // (Swift and Alamofire: `method: .post`.)
            let rest = lower[at + key.len()..].trim_start_matches([' ', '"', '\'', '[', '`', '.']);
            let m = method_of(
                rest.split(|c: char| !c.is_ascii_alphabetic())
                    .next()
                    .unwrap_or(""),
            );
            if m != "*" {
                return Some(m);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_methods() {
        assert_eq!(method_of("get"), "GET");
        assert_eq!(method_of("PostMapping"), "POST");
        assert_eq!(method_of("HttpDelete"), "DELETE");
        assert_eq!(method_of("MapPut"), "PUT");
        assert_eq!(method_of("getForObject"), "GET");
        assert_eq!(method_of("PostAsJsonAsync"), "POST");
        assert_eq!(method_of("HandleFunc"), "*");
        assert_eq!(method_of("\"POST\""), "POST");
        assert_eq!(
            method_in_options("fetch(u, { method: 'PUT' })").as_deref(),
            Some("PUT")
        );
        assert_eq!(
            method_in_options("@app.route('/x', methods=['POST'])").as_deref(),
            Some("POST")
        );
        assert_eq!(
            feign_base("@FeignClient(name = \"adservice\")\ninterface A {}"),
            "http://adservice"
        );
        assert_eq!(
            feign_base("@FeignClient(\"ads\") interface A {}"),
            "http://ads"
        );
        assert_eq!(
            feign_base("@FeignClient(name = \"a\", url = \"http://ads:5000\") interface A {}"),
            "http://ads:5000"
        );
        assert_eq!(feign_base("interface A {}"), "{}");
    }
}
