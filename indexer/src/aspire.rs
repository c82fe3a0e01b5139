//! .NET Aspire's AppHost: the application model written in C#
//! (`DistributedApplication.CreateBuilder(args)`), read as a deployment descriptor
//! like a compose file. Each `AddProject<Projects.Basket_API>("basket-api")` is a
//! deployment of the project's service under that name; `AddRedis`, `AddRabbitMQ`,
//! `AddPostgres` (and its `AddDatabase`), `AddKafka`, … are infrastructure with the
//! image they run; `AddContainer("name", "image")` and `AddDockerfile("name",
//! "../dir")` are containers; `WithReference(x)` gives a resource the address or the
//! connection string of `x`, `WithEnvironment("K", v)` an environment variable, and
//! `WaitFor(x)` orders start-up.
//!
//! The code is read as text (statements, then chains of calls on a resource), not
//! compiled: resources built in loops or helper methods are not seen.

use std::collections::{BTreeMap, HashMap};

use crate::deploy::Deployment;

/// Whether a file may be an AppHost's program (checked by content when parsed).
pub(crate) fn is_app_host_file(name: &str) -> bool {
    matches!(name, "Program.cs" | "AppHost.cs")
}

/// What a resource of the application model is.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// A .NET project of the workspace, by project name (`Basket.API`).
    Project(String),
    /// A container or third-party server, by image (`redis`, `rabbitmq`).
    Image(String),
    /// An application built from a directory (`AddDockerfile`, `AddNpmApp`).
    Built(String),
    /// A database of a server resource (`postgres.AddDatabase("catalogdb")`).
    Database(usize),
    /// Anything else named (parameters, connection strings, YARP).
    Other,
}

struct Resource {
    name: String,
    kind: Kind,
    env: BTreeMap<String, String>,
    /// Resources it is given the address or connection string of.
    references: Vec<usize>,
    waits_for: Vec<usize>,
    /// A YARP gateway's routes: (path pattern, the resource it forwards to).
    routes: Vec<(String, usize)>,
}

/// One call of a chain: its name, its type argument and its arguments, as written.
struct Call<'t> {
    name: &'t str,
    generic: Option<&'t str>,
    args: Vec<&'t str>,
}

/// The image an infrastructure resource's `Add…` method runs.
fn infrastructure_image(method: &str) -> Option<&'static str> {
    Some(match method {
        "AddRedis" => "redis",
        "AddValkey" => "valkey",
        "AddGarnet" => "redis",
        "AddRabbitMQ" => "rabbitmq",
        "AddKafka" => "kafka",
        "AddNats" => "nats",
        "AddPostgres" => "postgres",
        "AddMySql" => "mysql",
        "AddMongoDB" => "mongo",
        "AddElasticsearch" => "elasticsearch",
        "AddCassandra" => "cassandra",
        "AddYarp" => "yarp",
        "AddSqlServer" => "sqlserver",
        "AddOracle" => "oracle",
        _ => return None,
    })
}

/// The deployments an AppHost's program declares (none unless it builds a
/// `DistributedApplication`).
pub(crate) fn deployments(path: &str, text: &str) -> Vec<Deployment> {
    if !text.contains("DistributedApplication.CreateBuilder") {
        return Vec::new();
    }
    let code = without_comments(text);
    let mut resources: Vec<Resource> = Vec::new();
    let mut vars: HashMap<&str, usize> = HashMap::new();
    for statement in statements(&code) {
        let (var, chain) = assignment(statement);
        let Some((head, calls)) = chain_calls(chain) else {
            continue;
        };
        let mut current = vars.get(head).copied();
        for call in calls {
            let name_arg = call.args.first().and_then(|a| string_literal(a));
            let resolve = |arg: &str| {
                // `x`, `x.GetEndpoint("http")`, `x.Resource`: the resource `x`.
                let var = arg.split(['.', '(']).next().unwrap_or(arg).trim();
                vars.get(var).copied()
            };
            let added = match (call.name, name_arg) {
                ("AddProject", Some(name)) => {
                    let project = call
                        .generic
                        .map(|g| g.trim().trim_start_matches("Projects.").replace('_', "."));
                    Some((name, project.map_or(Kind::Other, Kind::Project)))
                }
                ("AddContainer", Some(name)) => {
                    let image = call.args.get(1).and_then(|a| string_literal(a));
                    Some((name, image.map_or(Kind::Other, Kind::Image)))
                }
                (
                    "AddDockerfile" | "AddNpmApp" | "AddNodeApp" | "AddPythonApp" | "AddUvicornApp"
                    | "AddGolangApp" | "AddExecutable",
                    Some(name),
                ) => {
                    let dir = call.args.get(1).and_then(|a| string_literal(a));
                    Some((
                        name,
                        dir.map_or(Kind::Other, |d| Kind::Built(crate::deploy::join(path, &d))),
                    ))
                }
                ("AddDatabase", Some(name)) => {
                    let server = current.filter(|c| {
                        matches!(resources[*c].kind, Kind::Image(_) | Kind::Database(_))
                    });
                    Some((name, server.map_or(Kind::Other, Kind::Database)))
                }
                (method, Some(name)) if infrastructure_image(method).is_some() => Some((
                    name,
                    Kind::Image(infrastructure_image(method).unwrap_or_default().to_string()),
                )),
                (method, Some(name)) if method.starts_with("Add") && head == "builder" => {
                    Some((name, Kind::Other))
                }
                _ => None,
            };
            if let Some((name, kind)) = added {
                resources.push(Resource {
                    name,
                    kind,
                    env: BTreeMap::new(),
                    references: Vec::new(),
                    waits_for: Vec::new(),
                    routes: Vec::new(),
                });
                current = Some(resources.len() - 1);
                continue;
            }
            let Some(cur) = current else { continue };
            match call.name {
                "WithReference" => {
                    if let Some(r) = call.args.first().and_then(|a| resolve(a)) {
                        resources[cur].references.push(r);
                    }
                }
                // A YARP gateway's routes:
                // `WithConfiguration(yarp => { yarp.AddRoute("/api/{**catch-all}", api); })`.
                "WithConfiguration" => {
                    for arg in &call.args {
                        let mut rest = *arg;
                        while let Some(at) = rest.find(".AddRoute(") {
                            rest = &rest[at + ".AddRoute(".len()..];
                            let Some(close) = matching(rest, '(', ')') else {
                                break;
                            };
                            if let [path, target] = arguments(&rest[..close])[..] {
                                if let (Some(path), Some(r)) =
                                    (string_literal(path), resolve(target))
                                {
                                    resources[cur].routes.push((path, r));
                                }
                            }
                        }
                    }
                }
                "WaitFor" | "WaitForCompletion" => {
                    if let Some(r) = call.args.first().and_then(|a| resolve(a)) {
                        resources[cur].waits_for.push(r);
                    }
                }
                "WithEnvironment" => {
                    let key = call.args.first().and_then(|a| string_literal(a));
                    let value = call.args.get(1).and_then(|a| {
                        string_literal(a)
                            .or_else(|| resolve(a).map(|r| format!("http://{}", resources[r].name)))
                    });
                    if let (Some(k), Some(v)) = (key, value) {
                        resources[cur].env.insert(k, v);
                    }
                }
                _ => {}
            }
        }
        if let (Some(var), Some(cur)) = (var, current) {
            vars.insert(var, cur);
        }
    }
    // A database stands for its server.
    let server = |mut r: usize| {
        while let Kind::Database(s) = resources[r].kind {
            r = s;
        }
        r
    };
    let mut out = Vec::new();
    for res in &resources {
        let (build, image, project) = match &res.kind {
            Kind::Project(p) => (None, None, Some(p.clone())),
            Kind::Image(i) => (None, Some(i.clone()), None),
            Kind::Built(dir) => (Some(dir.clone()), None, None),
            Kind::Database(_) | Kind::Other => continue,
        };
        let mut env = res.env.clone();
        let mut references = Vec::new();
        for r in &res.references {
            let target = &resources[server(*r)];
            match target.kind {
                // A connection string naming the server (`ConnectionStrings__catalogdb`).
                Kind::Image(_) => {
                    env.insert(
                        format!("ConnectionStrings__{}", resources[*r].name),
                        target.name.clone(),
                    );
                }
                Kind::Project(_) | Kind::Built(_) => references.push(target.name.clone()),
                _ => {}
            }
        }
        let calls = res
            .routes
            .iter()
            .map(|(path, r)| crate::deploy::ConfigCall {
                url: format!("http://{}", resources[server(*r)].name),
                route: Some(match path.find("{**") {
                    Some(at) => format!("{}/**", path[..at].trim_end_matches('/')),
                    None => path.clone(),
                }),
                key: "AddRoute".to_string(),
            })
            .collect();
        let depends_on = res
            .waits_for
            .iter()
            .map(|r| resources[server(*r)].name.clone())
            .collect();
        out.push(Deployment {
            name: res.name.clone(),
            file: path.to_string(),
            build,
            env,
            image,
            depends_on,
            project,
            references,
            calls,
            ..Deployment::default()
        });
    }
    out
}

/// The text with `//` and `/* */` comments blanked (strings kept).
pub(crate) fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '/' && chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            None if c == '/' && chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    out
}

/// The statements of the code: split at `;` outside strings and brackets, each
/// without what a block around it opened or closed (`if (x) { var a = ...`).
fn statements(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in code_chars(code) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = (depth - 1).max(0),
            '{' | '}' if depth == 0 => start = i + 1,
            ';' if depth == 0 => {
                out.push(code[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// The characters of `code` outside string and character literals, with their byte
/// offsets (a literal, quotes and escapes included, is skipped).
fn code_chars(code: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    code.char_indices().filter(move |&(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
            return false;
        }
        true
    })
}

/// A statement as (the variable it assigns, the expression): `var api = x` or
/// `IResourceBuilder<ProjectResource> api = x`.
fn assignment(statement: &str) -> (Option<&str>, &str) {
    let Some(eq) = statement.find('=') else {
        return (None, statement);
    };
    let (left, right) = (&statement[..eq], &statement[eq + 1..]);
    if left.contains(['(', '"', '.']) && !left.contains('<') || right.starts_with(['=', '>']) {
        return (None, statement);
    }
    let var = left.split_whitespace().last().unwrap_or("");
    let is_name = !var.is_empty() && var.chars().all(|c| c.is_alphanumeric() || c == '_');
    if is_name {
        (Some(var), right.trim())
    } else {
        (None, statement)
    }
}

/// A chain of calls on a name: `builder.AddProject<Projects.X>("x").WithReference(y)`
/// as (`builder`, its calls). `None` unless the expression is one.
fn chain_calls(expr: &str) -> Option<(&str, Vec<Call<'_>>)> {
    let expr = expr.trim().trim_start_matches("await ").trim();
    let head_end = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(expr.len());
    let head = &expr[..head_end];
    if head.is_empty() {
        return None;
    }
    let mut calls = Vec::new();
    let mut rest = &expr[head_end..];
    loop {
        rest = rest.trim_start();
        let Some(after_dot) = rest.strip_prefix('.') else {
            break;
        };
        let after_dot = after_dot.trim_start();
        let name_end = after_dot
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after_dot.len());
        let name = &after_dot[..name_end];
        let mut tail = after_dot[name_end..].trim_start();
        let mut generic = None;
        if let Some(g) = tail.strip_prefix('<') {
            let close = matching(g, '<', '>')?;
            generic = Some(&g[..close]);
            tail = g[close + 1..].trim_start();
        }
        let Some(inner) = tail.strip_prefix('(') else {
            // A property (`.Resource`): nothing more to read as calls.
            rest = tail;
            if name.is_empty() {
                break;
            }
            continue;
        };
        let close = matching(inner, '(', ')')?;
        calls.push(Call {
            name,
            generic,
            args: arguments(&inner[..close]),
        });
        rest = &inner[close + 1..];
    }
    Some((head, calls))
}

/// The index of the bracket closing the one opened just before `text`.
fn matching(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in code_chars(text) {
        match c {
            c if c == open => depth += 1,
            c if c == close && depth == 0 => return Some(i),
            c if c == close => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Arguments split at top-level commas, trimmed.
fn arguments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in code_chars(text) {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// A plain string literal's value (`"basket-api"`, `name: "basket-api"`).
fn string_literal(arg: &str) -> Option<String> {
    let arg = arg.trim();
    // A named argument: `name: "x"`.
    let arg = match arg.split_once(':') {
        Some((name, value))
            if !name.contains('"') && name.trim().chars().all(|c| c.is_alphanumeric()) =>
        {
            value.trim()
        }
        _ => arg,
    };
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_HOST: &str = r#"
var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure
var redis = builder.AddRedis("basket-cache");
var rabbitMq = builder.AddRabbitMQ("eventbus")
    .WithLifetime(ContainerLifetime.Persistent);
var postgres = builder.AddPostgres("postgres").WithImage("ankane/pgvector");
var catalogDb = postgres.AddDatabase("catalogdb");

var basketApi = builder.AddProject<Projects.Basket_API>("basket-api")
    .WithReference(redis)
    .WithReference(rabbitMq).WaitFor(rabbitMq);
/* var unused = builder.AddProject<Projects.Old>("old"); */
IResourceBuilder<ProjectResource> catalogApi = builder.AddProject<Projects.Catalog_API>("catalog")
    .WithReference(catalogDb)
    .WithEnvironment("Feature__Search", "true");
if (builder.Environment.IsDevelopment()) {
    catalogApi.WithEnvironment("Basket__Url", basketApi.GetEndpoint("http"));
}
builder.AddDockerfile("frontend", "../frontend").WithReference(catalogApi);
builder.AddYarp("mobile-bff")
    .WithConfiguration(yarp =>
    {
        yarp.AddRoute("/catalog-api/{**catch-all}", catalogApi).WithTransformPathRemovePrefix("/catalog-api");
        yarp.AddRoute("/basket/{**catch-all}", basketApi);
    });

builder.Build().Run();
"#;

    #[test]
    fn an_app_host_declares_projects_infrastructure_and_references() {
        let found = deployments("src/Shop.AppHost/Program.cs", APP_HOST);
        let by_name = |n: &str| found.iter().find(|d| d.name == n).unwrap();
        let names: Vec<&str> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "basket-cache",
                "eventbus",
                "postgres",
                "basket-api",
                "catalog",
                "frontend",
                "mobile-bff"
            ]
        );
        let bff = by_name("mobile-bff");
        assert_eq!(bff.image.as_deref(), Some("yarp"));
        let routes: Vec<(&str, Option<&str>)> = bff
            .calls
            .iter()
            .map(|c| (c.url.as_str(), c.route.as_deref()))
            .collect();
        assert_eq!(
            routes,
            [
                ("http://catalog", Some("/catalog-api/**")),
                ("http://basket-api", Some("/basket/**"))
            ]
        );
        assert_eq!(by_name("basket-cache").image.as_deref(), Some("redis"));
        let basket = by_name("basket-api");
        assert_eq!(basket.project.as_deref(), Some("Basket.API"));
        assert_eq!(
            basket
                .env
                .get("ConnectionStrings__basket-cache")
                .map(String::as_str),
            Some("basket-cache")
        );
        assert_eq!(basket.depends_on, ["eventbus"]);
        let catalog = by_name("catalog");
        // A database's connection string names its server.
        assert_eq!(
            catalog
                .env
                .get("ConnectionStrings__catalogdb")
                .map(String::as_str),
            Some("postgres")
        );
        assert_eq!(
            catalog.env.get("Feature__Search").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            catalog.env.get("Basket__Url").map(String::as_str),
            Some("http://basket-api")
        );
        let frontend = by_name("frontend");
        assert_eq!(frontend.build.as_deref(), Some("src/frontend"));
        assert_eq!(frontend.references, ["catalog"]);
    }

    #[test]
    fn other_programs_declare_nothing() {
        let web = "var builder = WebApplication.CreateBuilder(args);\nbuilder.AddRedis(\"x\");\n";
        assert!(deployments("src/Web/Program.cs", web).is_empty());
        // Unbalanced code is read as far as it goes, never looped on.
        let broken = "var b = DistributedApplication.CreateBuilder(args);\nvar x = b.AddProject<Projects.A(\"a\"\n";
        assert!(deployments("AppHost.cs", broken).is_empty());
    }
}
