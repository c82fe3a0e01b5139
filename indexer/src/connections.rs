//! Datastores and brokers code connects to: connection strings
//! (`mongodb://mongodb:27017/users`, `jdbc:mysql://%s/cities` once formatted), DSNs
//! (`user:pw@tcp(db:3306)/shop`, PDO's `mysql:host=db;dbname=shop`), and the host
//! option of a client whose name says what it connects to
//! (`redis.createClient({host: "cache"})`, `pika.ConnectionParameters(host=h)`).

use tree_sitter::Node;

use crate::facts::{RpcAddress, Span};
use crate::http::{eval, Constants};

/// Schemes of the datastores and brokers a connection string names.
const SCHEMES: &[&str] = &[
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "nats",
    "kafka",
    "cassandra",
    "memcached",
];

/// Words in a client's name that say what it connects to, and the scheme.
const DRIVERS: &[(&str, &str)] = &[
    ("redis", "redis"),
    ("mongo", "mongodb"),
    ("amqp", "amqp"),
    ("rabbit", "amqp"),
    ("pika", "amqp"),
    ("kafka", "kafka"),
    ("postgres", "postgres"),
    ("psycopg", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("nats", "nats"),
    ("memcache", "memcached"),
    ("cassandra", "cassandra"),
];

/// Most addresses read from one file.
const MAX_CONNECTIONS: usize = 200;

/// The connections the captured nodes give: string literals holding a connection
/// string or DSN (evaluated with the expression that builds the string around
/// them), and values of a client's host option.
pub(crate) fn connections(
    nodes: &[Node<'_>],
    consts: &Constants<'_>,
    text: &str,
    span_of: &dyn Fn(Node<'_>) -> Span,
) -> Vec<RpcAddress> {
    let mut out: Vec<RpcAddress> = Vec::new();
    for node in nodes.iter().take(MAX_CONNECTIONS) {
        let option = node
            .parent()
            .is_some_and(|p| matches!(p.kind(), "pair" | "keyword_argument" | "literal_element"));
        let value = if option {
            let value = eval(*node, text, consts, 0);
            as_url(&value).or_else(|| {
                let scheme = driver_scheme(*node, text)?;
                let plain = !value.is_empty()
                    && value != "{}"
                    && !value.contains(char::is_whitespace)
                    && !value.contains("://");
                plain.then(|| format!("{scheme}://{value}"))
            })
        } else {
            as_url(&eval(building_expression(*node, text), text, consts, 0))
                .or_else(|| as_url(&eval(*node, text, consts, 0)))
        };
        let Some(value) = value else { continue };
        let span = span_of(*node);
        if !out.iter().any(|c| c.value == value && c.span == span) {
            out.push(RpcAddress {
                value,
                span,
                enclosing: None,
            });
        }
    }
    out
}

/// The expression that builds a string around `node`: the concatenation it is part
/// of, or the formatting call it is the format of (`fmt.Sprintf("amqp://%s:5672",
/// host)`, `String.format(..)`, `"..".format(..)`).
fn building_expression<'t>(node: Node<'t>, text: &str) -> Node<'t> {
    let mut at = node;
    loop {
        let Some(parent) = at.parent() else { return at };
        match parent.kind() {
            "binary_expression"
            | "binary_operator"
            | "concatenated_string"
            | "parenthesized_expression" => at = parent,
            "argument_list" | "arguments" => {
                let call = parent.parent();
                let first = parent.named_child(0).is_some_and(|f| f.id() == at.id());
                let formats = call
                    .and_then(|c| {
                        c.child_by_field_name("function")
                            .or_else(|| c.child_by_field_name("name"))
                    })
                    .and_then(|f| f.utf8_text(text.as_bytes()).ok())
                    .is_some_and(|f| {
                        let last = f.rsplit(['.', ':']).next().unwrap_or(f);
                        matches!(last, "Sprintf" | "sprintf" | "format" | "Format")
                    });
                match call {
                    Some(c) if first && formats => at = c,
                    _ => return at,
                }
            }
            // `"amqp://{}".format(host)`: the call whose receiver the string is.
            "attribute" | "member_expression" | "field_access" => {
                let call = parent.parent().filter(|c| c.kind().contains("call"));
                let method = parent
                    .child_by_field_name("attribute")
                    .or_else(|| parent.child_by_field_name("property"))
                    .or_else(|| parent.child_by_field_name("field"))
                    .and_then(|m| m.utf8_text(text.as_bytes()).ok());
                match (call, method) {
                    (Some(c), Some("format")) => at = c,
                    _ => return at,
                }
            }
            _ => return at,
        }
    }
}

/// The scheme the client a host option is given to connects with: a word of the
/// call's or constructor's name (`redis.createClient`, `new RedisStore`,
/// `&redis.Options{..}`, `pika.ConnectionParameters`).
fn driver_scheme(node: Node<'_>, text: &str) -> Option<&'static str> {
    let mut at = node.parent();
    while let Some(n) = at {
        let callee = match n.kind() {
            "call_expression" | "call" | "method_invocation" | "invocation_expression" => {
                n.child_by_field_name("function")
                    .or_else(|| n.child_by_field_name("name"))
                    .map(|f| {
                        // Java's `new JedisPool(..)` names its type; a method its object.
                        let object = n
                            .child_by_field_name("object")
                            .and_then(|o| o.utf8_text(text.as_bytes()).ok())
                            .unwrap_or("");
                        format!("{object}.{}", f.utf8_text(text.as_bytes()).unwrap_or(""))
                    })
            }
            "new_expression" | "object_creation_expression" | "composite_literal" => n
                .child_by_field_name("constructor")
                .or_else(|| n.child_by_field_name("type"))
                .and_then(|t| t.utf8_text(text.as_bytes()).ok())
                .map(str::to_string),
            _ => None,
        };
        if let Some(callee) = callee {
            let lower = callee.to_ascii_lowercase();
            return DRIVERS
                .iter()
                .find(|(word, _)| lower.contains(word))
                .map(|(_, scheme)| *scheme);
        }
        at = n.parent();
    }
    None
}

/// A connection string or DSN as a URL with a datastore's or broker's scheme:
/// `jdbc:mysql://db/x` is `mysql://db/x`, `u:p@tcp(db:3306)/x` is `mysql://db:3306`,
/// `mysql:host=db;dbname=x` is `mysql://db`. `None` for anything else.
pub(crate) fn as_url(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some((scheme, rest)) = value.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        let scheme = scheme.strip_prefix("jdbc:").unwrap_or(&scheme);
        return (SCHEMES.contains(&scheme) && !rest.is_empty())
            .then(|| format!("{scheme}://{rest}"));
    }
    if let Some(at) = value.find("@tcp(") {
        let rest = &value[at + 5..];
        let host = &rest[..rest.find(')')?];
        return (!host.is_empty()).then(|| format!("mysql://{host}"));
    }
    for (prefix, scheme) in [("mysql:", "mysql"), ("pgsql:", "postgres")] {
        if let Some(rest) = value.strip_prefix(prefix) {
            let host = rest
                .split(';')
                .find_map(|kv| kv.trim().strip_prefix("host="))?;
            return (!host.is_empty()).then(|| format!("{scheme}://{host}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    fn connections_of(lang: Language, text: &str) -> Vec<String> {
        crate::extract::extract(lang, text)
            .connections
            .into_iter()
            .map(|c| c.value)
            .collect()
    }

    #[test]
    fn connection_strings_dsns_and_client_hosts_in_code() {
        let js = "const redis = require('redis');\nconst RedisStore = require('connect-redis')(session);\nconst host = process.env.REDIS_HOST || 'cache';\nconst client = redis.createClient({ host: host });\nconst store = new RedisStore({host: \"sessions\"});\nconst url = process.env.MONGO_URL || 'mongodb://users-db:27017/users';\nhttp.request({ host: 'web' });\n";
        assert_eq!(
            connections_of(Language::JavaScript, js),
            [
                "redis://{env:REDIS_HOST|cache}",
                "redis://sessions",
                "mongodb://users-db:27017/users",
            ]
        );
        let py = "import os, pika, redis\nparams = pika.ConnectionParameters(host=os.getenv('AMQP_HOST', 'rabbit'))\ncache = redis.Redis(host='cache', port=6379)\ndb = 'postgresql://{}/orders'.format(os.environ['DB_HOST'])\n";
        assert_eq!(
            connections_of(Language::Python, py),
            [
                "amqp://{env:AMQP_HOST|rabbit}",
                "redis://cache",
                "postgresql://{env:DB_HOST}/orders",
            ]
        );
        let go = "package main\n\nimport (\n\t\"fmt\"\n\t\"github.com/redis/go-redis/v9\"\n)\n\nfunc main() {\n\tdsn := flag.String(\"DSN\", \"shop:secret@tcp(orders-db:3306)/shop\", \"DSN\")\n\tamqpURI := fmt.Sprintf(\"amqp://guest:guest@%s:5672/\", \"broker\")\n\tc := redis.NewClient(&redis.Options{Addr: \"cart-cache:6379\"})\n}\n";
        assert_eq!(
            connections_of(Language::Go, go),
            [
                "mysql://orders-db:3306",
                "amqp://guest:guest@broker:5672/",
                "redis://cart-cache:6379",
            ]
        );
        let java = "class Jpa {\n  String url() {\n    return String.format(\"jdbc:mysql://%s/cities?useSSL=false\", System.getenv(\"DB_HOST\"));\n  }\n}\n";
        assert_eq!(
            connections_of(Language::Java, java),
            ["mysql://{env:DB_HOST}/cities?useSSL=false"]
        );
    }

    #[test]
    fn dsns_read_as_urls() {
        assert_eq!(
            as_url("mysql:host=ratings-db;dbname=r").as_deref(),
            Some("mysql://ratings-db")
        );
        assert_eq!(
            as_url("u:p@tcp(db:3306)/x").as_deref(),
            Some("mysql://db:3306")
        );
        assert_eq!(
            as_url("jdbc:postgresql://pg/x").as_deref(),
            Some("postgresql://pg/x")
        );
        assert_eq!(as_url("http://web/x"), None);
        assert_eq!(as_url("tcp(db)"), None);
    }
}
