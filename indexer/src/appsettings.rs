//! .NET configuration files (`appsettings.json`, `appsettings.Production.json`): the
//! configuration a project runs with, as the environment of a deployment built from
//! its directory. Keys are flattened the way .NET reads them from the environment
//! (`EventBus:HostName` is `EventBus__HostName`); connection strings
//! (`ConnectionStrings:catalogdb = "Host=postgres;Database=catalog"`) name the
//! server they connect to; URLs naming another service are calls the configuration
//! declares, and a YARP reverse proxy's routes (`ReverseProxy:Routes` and
//! `Clusters`) are gateway routes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::deploy::{ConfigCall, Deployment};

/// Whether a file is a .NET configuration file.
pub(crate) fn is_settings_file(name: &str) -> bool {
    name.starts_with("appsettings") && name.ends_with(".json")
}

/// The deployment a configuration file describes: built from its directory, with
/// its entries as environment and its service URLs and proxy routes as calls.
/// `Err` with a message when the file is no JSON (comments are allowed, as .NET
/// allows them).
pub(crate) fn deployment(path: &str, text: &str) -> Result<Option<Deployment>, String> {
    let code = crate::aspire::without_comments(text);
    let root: Value = serde_json::from_str(&code).map_err(|e| format!("malformed JSON: {e}"))?;
    let mut env = BTreeMap::new();
    flatten(&root, "", 0, &mut env);
    let mut calls: Vec<ConfigCall> = Vec::new();
    // Connection strings: the server they name.
    if let Some(Value::Object(strings)) = root.get("ConnectionStrings") {
        for (name, value) in strings {
            if let Some(host) = value.as_str().and_then(connection_host) {
                env.insert(format!("ConnectionStrings__{name}"), host);
            }
        }
    }
    for (key, value) in &env {
        let plain = !key.starts_with("ReverseProxy__") && !key.starts_with("ConnectionStrings__");
        if plain && (value.starts_with("http://") || value.starts_with("https://")) {
            calls.push(ConfigCall {
                url: value.clone(),
                route: None,
                key: key.replace("__", ":"),
            });
        }
    }
    calls.extend(yarp_routes(&root));
    calls.sort();
    calls.dedup();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    if (env.is_empty() && calls.is_empty()) || dir.is_empty() {
        return Ok(None);
    }
    Ok(Some(Deployment {
        name: dir.rsplit('/').next().unwrap_or(dir).to_string(),
        file: path.to_string(),
        build: Some(dir.to_string()),
        env,
        calls,
        ..Deployment::default()
    }))
}

/// Scalar entries under `prefix`, keyed as environment variables (`A__B`); bounded
/// in depth.
fn flatten(value: &Value, prefix: &str, depth: usize, out: &mut BTreeMap<String, String>) {
    if depth > 16 {
        return;
    }
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}__{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(v, &key(k), depth + 1, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, &key(&i.to_string()), depth + 1, out);
            }
        }
        Value::String(s) if !prefix.is_empty() => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Number(_) | Value::Bool(_) if !prefix.is_empty() => {
            out.insert(prefix.to_string(), value.to_string());
        }
        _ => {}
    }
}

/// The server a connection string connects to: a URL's host (`redis://cache:6379`,
/// `mongodb://catalog-db`), an ADO.NET string's `Host`/`Server`/`Data Source`
/// (`Server=tcp:sqldata,1433;Database=x` is `sqldata`), or a Redis `host:port,options`.
fn connection_host(value: &str) -> Option<String> {
    let value = value.trim();
    if value.contains("://") {
        return Some(value.to_string());
    }
    let named = value.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        let k = k.trim().to_ascii_lowercase();
        matches!(
            k.as_str(),
            "host" | "server" | "data source" | "address" | "addr" | "hostname"
        )
        .then(|| v.trim())
    });
    if let Some(host) = named {
        let host = host.strip_prefix("tcp:").unwrap_or(host);
        let host = host.split([',', ':']).next().unwrap_or(host).trim();
        return (!host.is_empty()).then(|| host.to_string());
    }
    // Redis: `host:port,abortConnect=false`.
    let first = value.split(',').next().unwrap_or(value).trim();
    (!first.is_empty() && !first.contains(char::is_whitespace)).then(|| first.to_string())
}

/// YARP's routes: each route's `Match.Path` (`/api/catalog/{**catch-all}` serves
/// `/api/catalog/**`) forwarded to the first destination of its cluster.
fn yarp_routes(root: &Value) -> Vec<ConfigCall> {
    let Some(proxy) = root.get("ReverseProxy") else {
        return Vec::new();
    };
    let clusters = proxy.get("Clusters");
    let mut out = Vec::new();
    let Some(Value::Object(routes)) = proxy.get("Routes") else {
        return out;
    };
    for route in routes.values() {
        let cluster = route.get("ClusterId").and_then(Value::as_str);
        let path = route
            .get("Match")
            .and_then(|m| m.get("Path"))
            .and_then(Value::as_str);
        let address = cluster
            .and_then(|c| clusters?.get(c))
            .and_then(|c| c.get("Destinations"))
            .and_then(Value::as_object)
            .and_then(|d| d.values().find_map(|dest| dest.get("Address")?.as_str()));
        let (Some(path), Some(address)) = (path, address) else {
            continue;
        };
        let prefix = match path.find("{**") {
            Some(at) => format!("{}/**", path[..at].trim_end_matches('/')),
            None => path.to_string(),
        };
        out.push(ConfigCall {
            url: address.trim_end_matches('/').to_string(),
            route: Some(prefix),
            key: "ReverseProxy.Routes".to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_give_connection_strings_urls_and_proxy_routes() {
        let text = r#"{
  // .NET allows comments
  "ConnectionStrings": {
    "catalogdb": "Host=postgres;Port=5432;Database=catalog;Username=app",
    "orders": "Server=tcp:sqldata,1433;Initial Catalog=orders",
    "redis": "basket-cache:6379,abortConnect=false"
  },
  "EventBus": { "HostName": "rabbitmq", "RetryCount": 5 },
  "IdentityUrl": "http://identity-api",
  "ReverseProxy": {
    "Routes": {
      "catalog": { "ClusterId": "catalog", "Match": { "Path": "/catalog-api/{**catch-all}" } }
    },
    "Clusters": {
      "catalog": { "Destinations": { "d1": { "Address": "http://catalog-api/" } } }
    }
  }
}"#;
        let d = deployment("src/Mobile.Bff/appsettings.json", text)
            .unwrap()
            .unwrap();
        assert_eq!(d.name, "Mobile.Bff");
        assert_eq!(d.build.as_deref(), Some("src/Mobile.Bff"));
        let env = |k: &str| d.env.get(k).map(String::as_str);
        assert_eq!(env("ConnectionStrings__catalogdb"), Some("postgres"));
        assert_eq!(env("ConnectionStrings__orders"), Some("sqldata"));
        assert_eq!(env("ConnectionStrings__redis"), Some("basket-cache:6379"));
        assert_eq!(env("EventBus__HostName"), Some("rabbitmq"));
        assert_eq!(env("EventBus__RetryCount"), Some("5"));
        let calls: Vec<(&str, Option<&str>)> = d
            .calls
            .iter()
            .map(|c| (c.url.as_str(), c.route.as_deref()))
            .collect();
        assert_eq!(
            calls,
            [
                ("http://catalog-api", Some("/catalog-api/**")),
                ("http://identity-api", None)
            ]
        );
    }

    #[test]
    fn malformed_settings_are_an_error_and_empty_ones_nothing() {
        assert!(deployment("a/appsettings.json", "{ \"x\": ").is_err());
        assert_eq!(deployment("a/appsettings.json", "{}"), Ok(None));
    }
}
