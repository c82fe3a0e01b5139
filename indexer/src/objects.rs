//! Values computed through a file's own classes: a method that returns an address
//! built by small value objects of the file
//! (`new ServiceUri(new Hostname("payment"), new Domain(domain), "/paymentAuth").toUri()`,
//! whose `toUri()` joins `"http://" + hostname + domain` and the endpoint) is evaluated
//! by running its constructors and methods over strings: fields set from constructor
//! parameters and initializers, locals, `if` on what is known (`x != null`,
//! `!x.equals("")`, `x.isEmpty()`), `+`, `toString()` (written or implied by `+`), and
//! calls of the file's other methods. Anything else is unknown, and so is the value.
//! Java; the methods read are those whose name says they give an address (see
//! [`crate::http`]'s references to them).

use std::collections::HashMap;

use tree_sitter::Node;

use crate::facts::NamedValue;
use crate::http::{eval, is_absolute_url, Constants};

/// Most expressions and statements one method's evaluation visits.
const MAX_STEPS: usize = 2_000;
/// Deepest nesting of calls, constructions, statements and expressions followed.
const MAX_DEPTH: usize = 64;

/// A value as far as it is known.
#[derive(Clone, Debug)]
enum Val<'t> {
    Str(String),
    Bool(bool),
    Null,
    Obj(Obj<'t>),
    Unknown,
}

/// An object of one of the file's classes: its class and its fields.
#[derive(Clone, Debug)]
struct Obj<'t> {
    class: Node<'t>,
    fields: HashMap<String, Val<'t>>,
}

/// What a method's body ends with.
enum Flow<'t> {
    Next,
    Return(Val<'t>),
    /// Something not followed (an `if` on an unknown condition, a loop): the
    /// method's value is unknown.
    Stuck,
}

/// One evaluation: the file and its classes by name.
struct Run<'a, 't> {
    text: &'t str,
    consts: &'a Constants<'t>,
    classes: HashMap<&'t str, Node<'t>>,
    steps: usize,
}

/// The file's methods `methods` (taking no parameters) whose value is an absolute URL,
/// as constants named after the method (`getPaymentUri` = `http://payment/paymentAuth`)
/// for the calls of other files that use them (`config.getPaymentUri()`).
pub(crate) fn returned_urls<'t>(
    methods: &[Node<'t>],
    consts: &Constants<'t>,
    text: &'t str,
) -> Vec<NamedValue> {
    let Some(first) = methods.first() else {
        return Vec::new();
    };
    let mut root = *first;
    while let Some(p) = root.parent() {
        root = p;
    }
    let mut run = Run {
        text,
        consts,
        classes: classes(root, text),
        steps: 0,
    };
    let mut out: Vec<NamedValue> = Vec::new();
    for method in methods {
        let name = method
            .child_by_field_name("name")
            .and_then(|n| n.utf8_text(text.as_bytes()).ok());
        let no_parameters = method
            .child_by_field_name("parameters")
            .is_some_and(|p| p.named_child_count() == 0);
        let (Some(name), true) = (name, no_parameters) else {
            continue;
        };
        // The object it is called on: one of its class made with the field
        // initializers (and a constructor taking nothing).
        let Some(class) = enclosing_class(*method) else {
            continue;
        };
        run.steps = 0;
        let this = run.construct(class, &[], 0);
        let value = match this {
            Some(this) => run.invoke(*method, Some(this), Vec::new(), 0),
            None => Val::Unknown,
        };
        if let Val::Str(s) = value {
            if is_absolute_url(&s) && !s.contains('{') && s.len() <= 300 {
                out.push(NamedValue {
                    name: name.to_string(),
                    value: s,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

/// The file's classes (records too) by name.
fn classes<'t>(root: Node<'t>, text: &'t str) -> HashMap<&'t str, Node<'t>> {
    let mut out = HashMap::new();
    let mut stack = vec![root];
    let mut visited = 0usize;
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > 200_000 {
            break;
        }
        if matches!(n.kind(), "class_declaration" | "record_declaration") {
            if let Some(name) = n
                .child_by_field_name("name")
                .and_then(|x| x.utf8_text(text.as_bytes()).ok())
            {
                out.entry(name).or_insert(n);
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    out
}

/// The class declaring a method.
fn enclosing_class(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(n.kind(), "class_declaration" | "record_declaration") {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// The names of a method's or constructor's parameters, in order.
fn parameter_names<'t>(callable: Node<'t>, text: &'t str) -> Vec<&'t str> {
    let Some(params) = callable.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut c = params.walk();
    let names = params
        .named_children(&mut c)
        .filter(|p| matches!(p.kind(), "formal_parameter" | "spread_parameter"))
        .filter_map(|p| p.child_by_field_name("name"))
        .filter_map(|n| n.utf8_text(text.as_bytes()).ok())
        .collect();
    names
}

/// The members of a class body of a kind (`method_declaration`, ...).
fn members<'t>(class: Node<'t>, kind: &'static str) -> impl Iterator<Item = Node<'t>> {
    let body = class.child_by_field_name("body");
    let mut list = Vec::new();
    if let Some(body) = body {
        let mut c = body.walk();
        list.extend(body.named_children(&mut c).filter(|m| m.kind() == kind));
    }
    list.into_iter()
}

impl<'t> Val<'t> {
    fn string(s: String) -> Self {
        if s.contains("{}") {
            Val::Unknown
        } else {
            Val::Str(s)
        }
    }
}

impl<'t> Run<'_, 't> {
    fn spend(&mut self, depth: usize) -> bool {
        self.steps += 1;
        self.steps <= MAX_STEPS && depth <= MAX_DEPTH
    }

    fn name(&self, node: Node<'t>) -> &'t str {
        node.utf8_text(self.text.as_bytes()).unwrap_or("")
    }

    /// An object of `class` made by its constructor taking `args` (none written: the
    /// field initializers alone, when `args` is empty).
    fn construct(&mut self, class: Node<'t>, args: &[Val<'t>], depth: usize) -> Option<Obj<'t>> {
        if !self.spend(depth) {
            return None;
        }
        let mut this = Obj {
            class,
            fields: HashMap::new(),
        };
        // A record's components are its fields.
        if class.kind() == "record_declaration" {
            let names = parameter_names(class, self.text);
            if names.len() != args.len() {
                return None;
            }
            for (n, v) in names.into_iter().zip(args) {
                this.fields.insert(n.to_string(), v.clone());
            }
            return Some(this);
        }
        for field in members(class, "field_declaration") {
            let mut c = field.walk();
            let declarators: Vec<Node<'t>> =
                field.children_by_field_name("declarator", &mut c).collect();
            for d in declarators {
                let Some(name) = d.child_by_field_name("name") else {
                    continue;
                };
                let value = match d.child_by_field_name("value") {
                    Some(v) => self.expr(v, &mut Frame::new(None), depth + 1),
                    None => Val::Null,
                };
                this.fields.insert(self.name(name).to_string(), value);
            }
        }
        let constructors: Vec<Node<'t>> = members(class, "constructor_declaration")
            .filter(|c| parameter_names(*c, self.text).len() == args.len())
            .collect();
        match constructors.as_slice() {
            [] if args.is_empty() => Some(this),
            [constructor] => {
                let mut frame = Frame::new(Some(this));
                for (n, v) in parameter_names(*constructor, self.text)
                    .into_iter()
                    .zip(args)
                {
                    frame.locals.insert(n.to_string(), v.clone());
                }
                let body = constructor.child_by_field_name("body")?;
                match self.block(body, &mut frame, depth + 1) {
                    Flow::Stuck => None,
                    _ => frame.this,
                }
            }
            _ => None,
        }
    }

    /// What calling `method` on `this` with `args` returns.
    fn invoke(
        &mut self,
        method: Node<'t>,
        this: Option<Obj<'t>>,
        args: Vec<Val<'t>>,
        depth: usize,
    ) -> Val<'t> {
        if !self.spend(depth) {
            return Val::Unknown;
        }
        let names = parameter_names(method, self.text);
        if names.len() != args.len() {
            return Val::Unknown;
        }
        let mut frame = Frame::new(this);
        for (n, v) in names.into_iter().zip(args) {
            frame.locals.insert(n.to_string(), v);
        }
        let Some(body) = method.child_by_field_name("body") else {
            return Val::Unknown;
        };
        match self.block(body, &mut frame, depth + 1) {
            Flow::Return(v) => v,
            _ => Val::Unknown,
        }
    }

    /// Runs the statements of a block (or one statement).
    fn block(&mut self, node: Node<'t>, frame: &mut Frame<'t>, depth: usize) -> Flow<'t> {
        if !self.spend(depth) {
            return Flow::Stuck;
        }
        match node.kind() {
            "block" | "constructor_body" => {
                let mut c = node.walk();
                let statements: Vec<Node<'t>> = node.named_children(&mut c).collect();
                for s in statements {
                    match self.block(s, frame, depth) {
                        Flow::Next => {}
                        done => return done,
                    }
                }
                Flow::Next
            }
            "return_statement" => Flow::Return(match node.named_child(0) {
                Some(v) => self.expr(v, frame, depth + 1),
                None => Val::Unknown,
            }),
            "local_variable_declaration" => {
                let mut c = node.walk();
                let declarators: Vec<Node<'t>> =
                    node.children_by_field_name("declarator", &mut c).collect();
                for d in declarators {
                    let Some(name) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let value = match d.child_by_field_name("value") {
                        Some(v) => self.expr(v, frame, depth + 1),
                        None => Val::Unknown,
                    };
                    frame.locals.insert(self.name(name).to_string(), value);
                }
                Flow::Next
            }
            "expression_statement" => {
                let Some(e) = node.named_child(0) else {
                    return Flow::Next;
                };
                if e.kind() == "assignment_expression" {
                    self.assign(e, frame, depth);
                }
                // Other expressions (a log line, a call) change nothing followed.
                Flow::Next
            }
            "if_statement" => {
                let condition = node
                    .child_by_field_name("condition")
                    .map_or(Val::Unknown, |c| self.expr(c, frame, depth + 1));
                match condition {
                    Val::Bool(true) => node
                        .child_by_field_name("consequence")
                        .map_or(Flow::Next, |b| self.block(b, frame, depth + 1)),
                    Val::Bool(false) => node
                        .child_by_field_name("alternative")
                        .map_or(Flow::Next, |b| self.block(b, frame, depth + 1)),
                    _ => Flow::Stuck,
                }
            }
            "line_comment" | "block_comment" | "empty_statement" => Flow::Next,
            // `super(..)`/`this(..)` in a constructor, loops, `try`, `throw`, ...
            _ => Flow::Stuck,
        }
    }

    /// `this.x = e`, `x = e` (a local, else a field).
    fn assign(&mut self, e: Node<'t>, frame: &mut Frame<'t>, depth: usize) {
        let (Some(left), Some(right)) = (
            e.child_by_field_name("left"),
            e.child_by_field_name("right"),
        ) else {
            return;
        };
        let operator = e
            .child_by_field_name("operator")
            .map_or("=", |o| self.name(o));
        let value = self.expr(right, frame, depth + 1);
        // The local of that name, else the object's field.
        let (name, local) = match left.kind() {
            "identifier" => {
                let name = self.name(left);
                (name, frame.locals.contains_key(name))
            }
            "field_access"
                if left
                    .child_by_field_name("object")
                    .is_some_and(|o| o.kind() == "this") =>
            {
                match left.child_by_field_name("field") {
                    Some(f) => (self.name(f), false),
                    None => return,
                }
            }
            _ => return,
        };
        let old = if local {
            frame.locals.get(name).cloned()
        } else {
            frame
                .this
                .as_ref()
                .and_then(|t| t.fields.get(name).cloned())
        };
        let value = match operator {
            "=" => value,
            "+=" => {
                let old = self.stringify(old.unwrap_or(Val::Unknown), depth);
                concat(old, self.stringify(value, depth))
            }
            _ => Val::Unknown,
        };
        if local {
            frame.locals.insert(name.to_string(), value);
        } else if let Some(this) = frame.this.as_mut() {
            this.fields.insert(name.to_string(), value);
        }
    }

    /// The string an object gives where one is needed (its `toString()`).
    fn stringify(&mut self, v: Val<'t>, depth: usize) -> Val<'t> {
        match v {
            Val::Obj(o) => {
                let method = members(o.class, "method_declaration").find(|m| {
                    m.child_by_field_name("name")
                        .is_some_and(|n| self.name(n) == "toString")
                });
                match method {
                    Some(m) => self.invoke(m, Some(o), Vec::new(), depth + 1),
                    None => Val::Unknown,
                }
            }
            Val::Null => Val::Str("null".to_string()),
            other => other,
        }
    }

    fn expr(&mut self, node: Node<'t>, frame: &mut Frame<'t>, depth: usize) -> Val<'t> {
        if !self.spend(depth) {
            return Val::Unknown;
        }
        match node.kind() {
            "parenthesized_expression" | "cast_expression" => {
                let inner = node
                    .child_by_field_name("value")
                    .or_else(|| node.named_child(node.named_child_count().saturating_sub(1)));
                inner.map_or(Val::Unknown, |i| self.expr(i, frame, depth + 1))
            }
            "null_literal" => Val::Null,
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "identifier" => {
                let name = self.name(node);
                if let Some(v) = frame.locals.get(name) {
                    return v.clone();
                }
                if let Some(v) = frame.this.as_ref().and_then(|t| t.fields.get(name)) {
                    return v.clone();
                }
                Val::string(eval(node, self.text, self.consts, 0))
            }
            "field_access" => {
                let own = node
                    .child_by_field_name("object")
                    .is_some_and(|o| o.kind() == "this");
                let field = node.child_by_field_name("field").map(|f| self.name(f));
                match (own, field, frame.this.as_ref()) {
                    (true, Some(f), Some(this)) => {
                        this.fields.get(f).cloned().unwrap_or(Val::Unknown)
                    }
                    _ => Val::string(eval(node, self.text, self.consts, 0)),
                }
            }
            "binary_expression" => self.binary(node, frame, depth),
            "unary_expression" => {
                let operator = node.child_by_field_name("operator").map(|o| self.name(o));
                let operand = node
                    .child_by_field_name("operand")
                    .map_or(Val::Unknown, |o| self.expr(o, frame, depth + 1));
                match (operator, operand) {
                    (Some("!"), Val::Bool(b)) => Val::Bool(!b),
                    _ => Val::Unknown,
                }
            }
            "ternary_expression" => {
                let condition = node
                    .child_by_field_name("condition")
                    .map_or(Val::Unknown, |c| self.expr(c, frame, depth + 1));
                let branch = match condition {
                    Val::Bool(true) => node.child_by_field_name("consequence"),
                    Val::Bool(false) => node.child_by_field_name("alternative"),
                    _ => None,
                };
                branch.map_or(Val::Unknown, |b| self.expr(b, frame, depth + 1))
            }
            "object_creation_expression" => {
                let args = self.arguments(node, frame, depth);
                let ty = node
                    .child_by_field_name("type")
                    .map(|t| self.name(t))
                    .unwrap_or("");
                if passes_string(ty, "new") {
                    return self.only_string(args, depth);
                }
                match self.classes.get(ty).copied() {
                    Some(class) => self
                        .construct(class, &args, depth + 1)
                        .map_or(Val::Unknown, Val::Obj),
                    None => Val::Unknown,
                }
            }
            "method_invocation" => self.call(node, frame, depth),
            _ => Val::string(eval(node, self.text, self.consts, 0)),
        }
    }

    /// The string of the one argument a call or construction is given.
    fn only_string(&mut self, args: Vec<Val<'t>>, depth: usize) -> Val<'t> {
        match <[Val<'t>; 1]>::try_from(args) {
            Ok([one]) => self.stringify(one, depth),
            Err(_) => Val::Unknown,
        }
    }

    fn arguments(&mut self, call: Node<'t>, frame: &mut Frame<'t>, depth: usize) -> Vec<Val<'t>> {
        let Some(list) = call.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut c = list.walk();
        let nodes: Vec<Node<'t>> = list
            .named_children(&mut c)
            .filter(|n| !n.kind().contains("comment"))
            .collect();
        nodes
            .into_iter()
            .map(|n| self.expr(n, frame, depth + 1))
            .collect()
    }

    fn binary(&mut self, node: Node<'t>, frame: &mut Frame<'t>, depth: usize) -> Val<'t> {
        let operator = node
            .child_by_field_name("operator")
            .map_or("", |o| self.name(o));
        let (Some(l), Some(r)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Val::Unknown;
        };
        let left = self.expr(l, frame, depth + 1);
        // `a && b`, `a || b` decided by the left side alone where it can be.
        match (operator, &left) {
            ("&&", Val::Bool(false)) => return Val::Bool(false),
            ("||", Val::Bool(true)) => return Val::Bool(true),
            _ => {}
        }
        let right = self.expr(r, frame, depth + 1);
        match operator {
            "+" => concat(self.stringify(left, depth), self.stringify(right, depth)),
            "&&" | "||" => match right {
                Val::Bool(b) if matches!(left, Val::Bool(_)) => Val::Bool(b),
                _ => Val::Unknown,
            },
            "==" | "!=" => {
                let equal = match (&left, &right) {
                    (Val::Null, Val::Null) => Some(true),
                    (Val::Null, Val::Str(_) | Val::Obj(_) | Val::Bool(_))
                    | (Val::Str(_) | Val::Obj(_) | Val::Bool(_), Val::Null) => Some(false),
                    (Val::Bool(a), Val::Bool(b)) => Some(a == b),
                    _ => None,
                };
                match equal {
                    Some(e) => Val::Bool(if operator == "==" { e } else { !e }),
                    None => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// A method call: one of the file's classes' (on an object of it, or on `this`),
    /// a string's `equals`/`isEmpty`/`toString`/`trim`, `URI.create(s)`.
    fn call(&mut self, node: Node<'t>, frame: &mut Frame<'t>, depth: usize) -> Val<'t> {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.name(n))
            .unwrap_or("");
        let object = node.child_by_field_name("object");
        let receiver = match object {
            None => frame.this.clone().map(Val::Obj),
            Some(o) if o.kind() == "this" => frame.this.clone().map(Val::Obj),
            Some(o) if passes_string(self.name(o), name) => {
                let args = self.arguments(node, frame, depth);
                return self.only_string(args, depth);
            }
            Some(o) => Some(self.expr(o, frame, depth + 1)),
        };
        let args = self.arguments(node, frame, depth);
        match receiver {
            Some(Val::Obj(o)) => {
                let method = members(o.class, "method_declaration")
                    .filter(|m| {
                        m.child_by_field_name("name")
                            .is_some_and(|n| self.name(n) == name)
                    })
                    .find(|m| parameter_names(*m, self.text).len() == args.len());
                match method {
                    Some(m) => self.invoke(m, Some(o), args, depth + 1),
                    None if name == "toString" && args.is_empty() => {
                        self.stringify(Val::Obj(o), depth)
                    }
                    None => Val::Unknown,
                }
            }
            Some(Val::Str(s)) => match (name, args.as_slice()) {
                ("equals", [Val::Str(other)]) => Val::Bool(&s == other),
                ("equals", [Val::Null]) => Val::Bool(false),
                ("isEmpty", []) => Val::Bool(s.is_empty()),
                ("toString" | "intern", []) => Val::Str(s),
                ("trim", []) => Val::Str(s.trim().to_string()),
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }
}

/// Whether `Owner.name(s)` (`new Owner(s)`: `name` is `new`) gives the string it is
/// passed: `URI.create(s)`, `String.valueOf(s)`, `new URI(s)`, `new URL(s)`.
fn passes_string(owner: &str, name: &str) -> bool {
    let owner = owner.strip_prefix("java.net.").unwrap_or(owner);
    matches!(
        (owner, name),
        ("URI", "create" | "new") | ("URL", "new") | ("String", "valueOf")
    )
}

/// Strings joined (`+`); unknown if either is.
fn concat<'t>(a: Val<'t>, b: Val<'t>) -> Val<'t> {
    match (a, b) {
        (Val::Str(a), Val::Str(b)) => Val::Str(a + &b),
        _ => Val::Unknown,
    }
}

/// A method's or constructor's locals and the object it runs on.
struct Frame<'t> {
    this: Option<Obj<'t>>,
    locals: HashMap<String, Val<'t>>,
}

impl<'t> Frame<'t> {
    fn new(this: Option<Obj<'t>>) -> Self {
        Frame {
            this,
            locals: HashMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Language;

    fn constants(text: &str) -> Vec<(String, String)> {
        crate::extract::extract(Language::Java, text)
            .constants
            .into_iter()
            .map(|c| (c.name, c.value))
            .collect()
    }

    #[test]
    fn value_objects_of_the_file_build_the_address_a_method_returns() {
        // A record, a local built with `+=`, a known condition, `new URI(..)`, and
        // `toString()` implied by `+`.
        let text = r#"
public class Settings {
    private String region = null;
    private final String port = "8080";
    public URI getStockUrl() {
        String host = "stock";
        if (region != null) { host += "." + region; }
        host += ":" + port;
        return new URI(new Target(host, "/levels") + "");
    }
    record Target(String host, String path) {
        public String toString() { return "http://" + host + path; }
    }
}
"#;
        assert_eq!(
            constants(text),
            vec![(
                "getStockUrl".to_string(),
                "http://stock:8080/levels".to_string()
            )]
        );
    }

    #[test]
    fn what_is_not_followed_gives_no_address() {
        // A loop, an unknown condition, a parameter: no value.
        let text = r#"
public class Settings {
    private String host;
    public String getLoopUrl() { for (;;) {} }
    public String getHostUrl() {
        if (System.currentTimeMillis() > 0) { return "http://a/x"; }
        return "http://b/x";
    }
    public String baseUrl(String h) { return "http://" + h; }
    public String getFixedUrl() { return "http://fixed:8080/api"; }
}
"#;
        assert_eq!(
            constants(text),
            vec![(
                "getFixedUrl".to_string(),
                "http://fixed:8080/api".to_string()
            )]
        );
    }
}
