//! Deployment files: docker-compose services and Kubernetes Deployments, with the
//! environment their containers get. The addresses services reach each other at
//! usually live there (`CART_URL=http://cartservice:8080`), not in the code.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::facts::Diagnostic;
use crate::yaml::{self, HelmContext, Yaml, YamlError};

/// A deployed service: its name and its containers' environment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The service's deployment name (compose service, Kubernetes Deployment).
    pub name: String,
    /// Workspace path of the file that declares it.
    pub file: String,
    /// Workspace path of the directory its image is built from, when declared.
    pub build: Option<String>,
    /// Environment variables, with `${VAR}` and `${VAR:-default}` interpolated.
    pub env: BTreeMap<String, String>,
    /// Calls its configuration declares (gateway routes, service URLs), sorted.
    #[serde(default)]
    pub calls: Vec<ConfigCall>,
    /// The image it runs, when declared (compose `image`, a Kubernetes container's).
    #[serde(default)]
    pub image: Option<String>,
    /// The deployments it declares it needs (compose `depends_on`).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The ports it listens on as other processes on the same host reach it
    /// (Spring's `server.port`, compose's published ports): `http://localhost:8081`
    /// names it.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Configuration repositories it serves that the workspace does not hold (a
    /// Spring Cloud Config server's `git.uri`): the routes and addresses in them are
    /// missing from the map until they are indexed too.
    #[serde(default)]
    pub missing_config: Vec<String>,
    /// The base URL its relative HTTP calls go to, from the command it runs
    /// (`locust --host http://${FRONTEND_ADDR}`), with `{env:NAME}` for the
    /// environment to fill.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The code project it runs, by project name, where the deployment names one
    /// rather than a directory (Aspire's `AddProject<Projects.Basket_API>`:
    /// `Basket.API`).
    #[serde(default)]
    pub project: Option<String>,
    /// The services it is given the address of by its orchestrator (Aspire's
    /// `WithReference(basketApi)`): a dependency declared, not yet shown in use.
    #[serde(default)]
    pub references: Vec<String>,
    /// Other names it is reached by (Dapr's `dapr.io/app-id` annotation: calls
    /// through the sidecar name the app id).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Workspace paths mounted into its containers (compose `volumes` from the
    /// host): configuration mounted there configures it.
    #[serde(default)]
    pub mounts: Vec<String>,
}

impl Deployment {
    /// Whether its name is one the team gave the service: not the folder's name an
    /// image's description (a `Dockerfile`) or a project's configuration file
    /// (`appsettings.json`) stands for.
    pub fn names_the_service(&self) -> bool {
        !self.gives_defaults()
    }

    /// Whether its environment is defaults a deployment's overrides: an image's
    /// (`ENV` in a `Dockerfile`) or a project's configuration (`appsettings.json`).
    pub fn gives_defaults(&self) -> bool {
        let file = self.file.rsplit('/').next().unwrap_or(&self.file);
        file == "Dockerfile" || crate::appsettings::is_settings_file(file)
    }
}

/// A call a service's configuration declares rather than its code: a gateway route
/// (`uri: lb://vets-service` with `Path=/api/vet/**`, Zuul's `serviceId`), or a URL
/// naming another service (`userInfoUri: http://auth-server:9999/uaa/user`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConfigCall {
    /// The URL called (`lb://name` for a service-discovery name).
    pub url: String,
    /// The path prefix a gateway forwards to it (`/api/vet/**`), when it is a route.
    pub route: Option<String>,
    /// The configuration key it was read from (`spring.cloud.gateway.routes`).
    pub key: String,
}

/// An image's name without its registry, tag or digest, lowercased
/// (`docker.io/library/Traefik:v3.0` is `traefik`).
pub fn image_name(image: &str) -> String {
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split([':', '@'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Whether a file may declare deployments (checked by content when parsed).
pub fn is_deployment_file(name: &str) -> bool {
    name == ".env"
        || name == "cartograph.toml"
        || name.ends_with(".yaml")
        || name.ends_with(".yml")
        // Spring's own, and a config server's (`{application}-{profile}.properties`).
        || name.ends_with(".properties")
        // A Helm chart's named templates.
        || name.ends_with(".tpl")
        || crate::images::is_dockerfile(name)
        || crate::images::is_build_script(name)
        || is_entrypoint_script(name)
        || is_proxy_config(name)
        || crate::aspire::is_app_host_file(name)
        || crate::appsettings::is_settings_file(name)
}

/// A script a container starts with (`entrypoint.sh`, `docker-entrypoint.sh`,
/// `start.sh`, `run.sh`): the command line a Dockerfile delegates to.
pub fn is_entrypoint_script(name: &str) -> bool {
    matches!(
        name,
        "entrypoint.sh" | "docker-entrypoint.sh" | "start.sh" | "run.sh"
    )
}

/// An nginx or Apache configuration file (also as an `envsubst` template).
pub fn is_proxy_config(name: &str) -> bool {
    let name = name.strip_suffix(".template").unwrap_or(name);
    name.ends_with(".conf") || name == "nginx.conf" || name == "httpd.conf"
}

/// A Dockerfile's `ENV` defaults: the environment its image's containers start
/// with (compose and Kubernetes may override them).
fn dockerfile_env(text: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    // Continuation lines joined first.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines() {
        let line = line.trim();
        let Some(rest) = line
            .strip_prefix("ENV ")
            .or_else(|| line.strip_prefix("env "))
        else {
            continue;
        };
        let rest = rest.trim();
        if rest.contains('=') {
            for pair in split_words(rest) {
                if let Some((k, v)) = pair.split_once('=') {
                    env.insert(k.to_string(), unquote(v).to_string());
                }
            }
        } else if let Some((k, v)) = rest.split_once(char::is_whitespace) {
            env.insert(k.to_string(), unquote(v.trim()).to_string());
        }
    }
    env
}

/// The image a Dockerfile's last stage starts from (`FROM postgres:16 AS db` →
/// `postgres:16`), through the stages it names (`FROM base` after
/// `FROM mariadb AS base`); `None` for `scratch` or no `FROM`.
fn dockerfile_image(text: &str) -> Option<String> {
    let mut stages: HashMap<String, String> = HashMap::new();
    let mut last = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("FROM")) {
            continue;
        }
        let mut words = words.skip_while(|w| w.starts_with("--"));
        let Some(image) = words.next() else { continue };
        let image = stages
            .get(image)
            .cloned()
            .unwrap_or_else(|| image.to_string());
        if let (Some(kw), Some(alias)) = (words.next(), words.next()) {
            if kw.eq_ignore_ascii_case("AS") {
                stages.insert(alias.to_string(), image.clone());
            }
        }
        last = Some(image);
    }
    last.filter(|i| i != "scratch")
}

/// Words split at spaces outside quotes.
pub(crate) fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (_, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `${NAME}` and `$NAME` as `{env:NAME}`, for the deployment's environment to fill.
pub(crate) fn env_markers(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) => (&inner[..end], &inner[end + 1..]),
                None => (inner, ""),
            },
            None => {
                let len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..len], &after[len..])
            }
        };
        out.push_str(&format!("{{env:{name}}}"));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The base URL a command line gives a client's relative calls: the value of a
/// `--host` or `--base-url` flag (a load generator's target, `locust --host
/// "$HOST"`) when it is a URL or a variable holding one (`uvicorn --host 0.0.0.0`
/// binds an address: not one). Comments are skipped.
fn command_base_url(text: &str) -> Option<String> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ','))
            .filter(|w| !w.is_empty())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let word = word.trim_matches(['"', '\'']);
            let value = match word.split_once('=') {
                Some(("--host" | "--base-url", v)) => v,
                None if matches!(word, "--host" | "--base-url") => {
                    words.get(i + 1).copied().unwrap_or("")
                }
                _ => continue,
            };
            let value = value.trim_matches(['"', '\'']);
            let url = value.starts_with("http://") || value.starts_with("https://");
            let variable = value.starts_with('$') && !value[1..].contains(['/', ':', '$']);
            if url || variable {
                return Some(env_markers(value));
            }
        }
    }
    None
}

/// The routes a proxy configuration forwards: nginx `location PREFIX { proxy_pass
/// URL; }` (an `upstream` name replaced by its first `server`), Apache
/// `ProxyPass PREFIX URL` (`Define`d variables put in).
fn proxy_routes(text: &str) -> Vec<ConfigCall> {
    let mut out = Vec::new();
    let mut upstreams: HashMap<String, String> = HashMap::new();
    let mut defines: HashMap<String, String> = HashMap::new();
    // (location prefix, brace depth it opened at)
    let mut locations: Vec<(String, usize)> = Vec::new();
    let mut upstream: Option<(String, usize)> = None;
    let mut depth = 0usize;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let words = split_words(line.trim_end_matches([';', '{']));
        match words.first().map(String::as_str) {
            Some("location") => {
                let prefix = words
                    .iter()
                    .skip(1)
                    .rfind(|w| !matches!(w.as_str(), "=" | "~" | "~*" | "^~"));
                if let Some(p) = prefix {
                    locations.push((p.clone(), depth));
                }
            }
            Some("upstream") if words.len() > 1 => upstream = Some((words[1].clone(), depth)),
            Some("server") if words.len() > 1 => {
                if let Some((name, _)) = &upstream {
                    upstreams
                        .entry(name.clone())
                        .or_insert_with(|| env_markers(&words[1]));
                }
            }
            Some("proxy_pass") if words.len() > 1 => {
                if let Some((prefix, _)) = locations.last() {
                    out.push(ConfigCall {
                        url: env_markers(&words[1]),
                        route: Some(prefix.clone()),
                        key: "proxy_pass".to_string(),
                    });
                }
            }
            Some("Define") if words.len() > 2 => {
                defines.insert(words[1].clone(), words[2].clone());
            }
            Some("ProxyPass") if words.len() > 2 && words[2] != "!" => {
                let put = |w: &str| {
                    let mut w = w.to_string();
                    for (k, v) in &defines {
                        w = w.replace(&format!("${{{k}}}"), v);
                    }
                    w
                };
                out.push(ConfigCall {
                    url: env_markers(&put(&words[2])),
                    route: Some(put(&words[1])),
                    key: "ProxyPass".to_string(),
                });
            }
            _ => {}
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if locations.last().is_some_and(|(_, d)| *d == depth) {
                        locations.pop();
                    }
                    if upstream.as_ref().is_some_and(|(_, d)| *d == depth) {
                        upstream = None;
                    }
                }
                _ => {}
            }
        }
    }
    // `proxy_pass http://backend/`: the upstream's server.
    for call in &mut out {
        if let Some((scheme, rest)) = call.url.split_once("://") {
            let host_end = rest.find(['/', ':']).unwrap_or(rest.len());
            if let Some(server) = upstreams.get(&rest[..host_end]) {
                call.url = format!("{scheme}://{server}{}", &rest[host_end..]);
            }
        }
    }
    out
}

/// A Spring Boot configuration file: `application.yml`, `application-docker.properties`,
/// `bootstrap.yml`.
fn is_spring_config(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let base = stem.split('-').next().unwrap_or(stem);
    matches!(base, "application" | "bootstrap")
        && [".yml", ".yaml", ".properties"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// The directory of the module a Spring configuration file configures: the one
/// holding `src/main/resources` (where its build manifest is), else the file's own.
fn spring_module_dir(path: &str) -> String {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    match dir.find("src/main/resources") {
        Some(0) => String::new(),
        Some(at) => dir[..at].trim_end_matches('/').to_string(),
        None => dir.to_string(),
    }
}

/// `${NAME:default}` as Spring writes placeholders: the default, when there is one.
fn spring_default(value: &str) -> String {
    match value
        .trim()
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
    {
        Some(inner) => inner.split_once(':').map_or("", |(_, d)| d).to_string(),
        None => value.trim().to_string(),
    }
}

/// A Spring Boot service's `spring.application.name` (the name service discovery,
/// Feign clients, `lb://` URIs and gateways call it by), from a YAML document or a
/// properties file, as a deployment of its module.
/// Without a name, a file that declares calls still stands for its module (named
/// after its directory) so that the calls count for it.
fn spring_application(
    path: &str,
    name: Option<String>,
    mut calls: Vec<ConfigCall>,
    port: Option<String>,
    env: BTreeMap<String, String>,
) -> Option<Deployment> {
    let module = spring_module_dir(path);
    let port = port.and_then(|p| spring_default(&p).parse::<u16>().ok());
    let name = name
        .map(|n| spring_default(&n))
        .filter(|n| !n.is_empty() && !n.contains("${"))
        .or_else(|| {
            let dir = module.rsplit('/').next().unwrap_or(&module);
            ((!calls.is_empty() || port.is_some() || !env.is_empty()) && !dir.is_empty())
                .then(|| dir.to_string())
        })?;
    calls.sort();
    calls.dedup();
    Some(Deployment {
        name,
        file: path.to_string(),
        build: Some(module),
        env,
        calls,
        ports: port.into_iter().collect(),
        ..Deployment::default()
    })
}

/// The host port a compose `ports` entry publishes: `"8080:80"`, `"127.0.0.1:8080:80"`,
/// `"8080:80/tcp"`, or a mapping's `published` (a bare `"8080"` publishes the
/// container's port on a port Docker picks: none to name).
fn published_port(entry: &Yaml) -> Option<u16> {
    if let Some(p) = entry.get("published").and_then(Yaml::scalar) {
        return p.parse().ok();
    }
    let text = entry.scalar()?;
    let text = text.split('/').next().unwrap_or(&text).to_string();
    let parts: Vec<&str> = text.split(':').collect();
    let host = match parts.len() {
        1 => return None,
        2 => parts[0],
        _ => parts[parts.len() - 2],
    };
    // A range (`8000-8010:8000-8010`) publishes its first.
    host.split('-').next()?.trim().parse().ok()
}

/// Whether a configuration value is a URL that may name a service: `http(s)://`,
/// `ws(s)://` or a service-discovery `lb://` URL with a host.
/// Spring placeholders (`${db:carts-db}`, `${HOST}`) are kept as environment
/// lookups (`{env:db|carts-db}`) for the deployment's environment to fill in.
fn service_url(value: &str) -> Option<String> {
    let value = value.trim();
    let (url, defaults) =
        if value.starts_with("${") && value.ends_with('}') && !value[2..].contains("${") {
            // The whole value is one placeholder: its default is the URL.
            (spring_default(value), spring_default(value))
        } else {
            (
                crate::http::spring_placeholders(value, false),
                crate::http::spring_placeholders(value, true),
            )
        };
    let (scheme, rest) = defaults.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    // Services, and the brokers and datastores they connect to.
    let known = matches!(
        scheme.as_str(),
        "http"
            | "https"
            | "ws"
            | "wss"
            | "lb"
            | "amqp"
            | "amqps"
            | "redis"
            | "rediss"
            | "mongodb"
            | "mongodb+srv"
            | "postgres"
            | "postgresql"
            | "mysql"
            | "nats"
            | "kafka"
    ) || scheme.starts_with("jdbc:");
    // A host only the environment gives (`${DB_HOST}`) is one if the deployment sets it.
    let whole_placeholder = rest.starts_with("${")
        && rest.find('}').is_some_and(|end| {
            !rest[2..end].contains([':', '$', '{'])
                && matches!(
                    rest.as_bytes().get(end + 1),
                    None | Some(b'/' | b':' | b'?')
                )
        });
    let host = rest.split(['/', ':', '?']).next().unwrap_or("");
    (known && (whole_placeholder || (!host.is_empty() && !host.contains(['{', '$', ' ']))))
        .then_some(url)
}

/// A route's path prefix: Zuul's `path: /x/**`, a Spring Cloud Gateway predicate
/// `Path=/api/vet/**` (the first of a list).
fn route_of(entry: &Yaml) -> Option<String> {
    if let Some(p) = entry.get("path").and_then(Yaml::scalar) {
        return Some(p);
    }
    entry
        .get("predicates")
        .map(Yaml::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Yaml::scalar)
        .find_map(|p| {
            p.strip_prefix("Path=")
                .map(|r| r.split(',').next().unwrap_or(r).to_string())
        })
}

/// The dotted keys of a YAML document's scalars (`authserver.hostname` → `localhost`),
/// added to `out` over what it holds.
fn flatten(node: &Yaml, key: &str, out: &mut HashMap<String, String>) {
    match node {
        Yaml::Map(_) => {
            for (k, v) in node.entries() {
                let Some(k) = k.scalar() else { continue };
                let child = if key.is_empty() {
                    k
                } else {
                    format!("{key}.{k}")
                };
                flatten(v, &child, out);
            }
        }
        Yaml::Scalar(s) => {
            out.insert(key.to_string(), s.clone());
        }
        Yaml::Seq(_) | Yaml::Null => {}
    }
}

/// `${key}` and `${key:default}` filled in from the properties the same configuration
/// sets (`http://${authserver.hostname}:${authserver.port}/uaa` with
/// `authserver.hostname: auth`), nested ones too; lookups it does not set stay for the
/// environment.
fn fill_properties(value: &str, props: &HashMap<String, String>) -> String {
    let mut value = value.to_string();
    // A property may name another; a cycle stops after a few rounds.
    for _ in 0..4 {
        let mut out = String::new();
        let mut rest = value.as_str();
        let mut changed = false;
        while let Some(at) = rest.find("${") {
            let Some(len) = rest[at..].find('}') else {
                break;
            };
            let inner = &rest[at + 2..at + len];
            if inner.contains('{') {
                out.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
                continue;
            }
            let key = inner.split(':').next().unwrap_or(inner);
            match props.get(key) {
                Some(v) => {
                    out.push_str(&rest[..at]);
                    out.push_str(v);
                    changed = true;
                }
                None => out.push_str(&rest[..at + len + 1]),
            }
            rest = &rest[at + len + 1..];
        }
        out.push_str(rest);
        value = out;
        if !changed {
            break;
        }
    }
    value
}

/// Zuul's routes (`zuul.routes`) as calls of the gateway: `id: /path/**` and
/// `id: {path}` forward to the service discovery calls `id`; `serviceId` or `url`
/// name the target otherwise. `zuul.prefix` comes before every path.
fn zuul_routes(routes: &Yaml, props: &HashMap<String, String>, out: &mut Vec<ConfigCall>) {
    let prefix = props
        .get("zuul.prefix")
        .map_or("", |p| p.trim_end_matches('/'));
    for (id, route) in routes.entries() {
        let Some(id) = id.scalar() else { continue };
        let path = route
            .scalar()
            .or_else(|| route.get("path").and_then(Yaml::scalar));
        let url = route.get("url").and_then(Yaml::scalar);
        let target = route
            .get("serviceId")
            .or_else(|| route.get("service-id"))
            .and_then(Yaml::scalar)
            .filter(|s| !s.is_empty() && !s.contains("${"))
            .map(|s| format!("lb://{s}"))
            .or_else(|| {
                url.as_ref()
                    .and_then(|u| service_url(&fill_properties(u, props)))
            })
            .or_else(|| (path.is_some() && url.is_none()).then(|| format!("lb://{id}")));
        if let Some(url) = target {
            out.push(ConfigCall {
                url,
                route: path.map(|p| format!("{prefix}{p}")),
                key: format!("zuul.routes.{id}"),
            });
        }
    }
}

/// The calls a Spring configuration document declares (see [`ConfigCall`]): Zuul
/// routes, mappings with a `serviceId` or a `uri`/`url` (routes, with their path), and
/// any other value that is a service URL. `key` is the dotted path to `node`; `props`
/// are the properties the placeholders of its values read.
fn config_calls(
    node: &Yaml,
    key: &str,
    props: &HashMap<String, String>,
    out: &mut Vec<ConfigCall>,
) {
    match node {
        Yaml::Map(_) if key == "zuul.routes" => zuul_routes(node, props, out),
        Yaml::Map(_) => {
            let target = node
                .get("serviceId")
                .or_else(|| node.get("service-id"))
                .and_then(Yaml::scalar)
                .filter(|s| !s.is_empty() && !s.contains("${"))
                .map(|s| (format!("lb://{s}"), None))
                .or_else(|| {
                    ["uri", "url"].iter().find_map(|k| {
                        node.get(k)
                            .and_then(Yaml::scalar)
                            .and_then(|v| service_url(&fill_properties(&v, props)))
                            .map(|url| (url, Some(k)))
                    })
                });
            let handled = target.is_some();
            if let Some((url, property)) = target {
                let route = route_of(node);
                // A plain URL property keeps its own key (`service.product.url`, as
                // `@Value` reads it); a route is the mapping's.
                let key = match property {
                    Some(p) if route.is_none() && !key.is_empty() => format!("{key}.{p}"),
                    _ => key.to_string(),
                };
                out.push(ConfigCall { url, route, key });
            }
            for (k, v) in node.entries() {
                let k = k.scalar().unwrap_or_default();
                if handled && matches!(k.as_str(), "serviceId" | "service-id" | "uri" | "url") {
                    continue;
                }
                let child = if key.is_empty() {
                    k
                } else {
                    format!("{key}.{k}")
                };
                config_calls(v, &child, props, out);
            }
        }
        Yaml::Seq(items) => {
            for item in items {
                config_calls(item, key, props, out);
            }
        }
        Yaml::Scalar(v) => {
            let v = fill_properties(v, props);
            // Spring's broker and datastore hosts: `spring.rabbitmq.host: rabbit`.
            let driver = [
                ("spring.rabbitmq.host", "amqp"),
                ("spring.redis.host", "redis"),
                ("spring.data.redis.host", "redis"),
                ("spring.data.mongodb.host", "mongodb"),
            ]
            .iter()
            .find(|(k, _)| key == *k)
            .map(|(_, scheme)| format!("{scheme}://{}", spring_default(&v)))
            .filter(|u| !u.ends_with("://"));
            if let Some(url) = driver.or_else(|| service_url(&v)) {
                out.push(ConfigCall {
                    url,
                    route: None,
                    key: key.to_string(),
                });
            }
        }
        Yaml::Null => {}
    }
}

/// The name a Spring configuration file gives its application
/// (`spring.application.name`, in the first document that sets it).
fn spring_name(docs: &[Yaml]) -> Option<String> {
    docs.iter()
        .find_map(|d| {
            let spring = d.get("spring")?;
            spring
                .get("application")
                .and_then(|a| a.get("name"))
                .or_else(|| spring.get("application.name"))
                .and_then(Yaml::scalar)
        })
        .or_else(|| {
            docs.iter()
                .find_map(|d| d.get("spring.application.name").and_then(Yaml::scalar))
        })
        .map(|n| spring_default(&n))
        .filter(|n| !n.is_empty() && !n.contains("${"))
}

/// The Spring applications of a workspace: each name and its module's directory.
fn spring_applications(parsed: &[(&str, Vec<Yaml>)]) -> BTreeMap<String, String> {
    let mut apps = BTreeMap::new();
    for (path, docs) in parsed {
        let name = path.rsplit_once('/').map_or(*path, |(_, n)| n);
        if is_spring_config(name) {
            if let Some(app) = spring_name(docs) {
                apps.entry(app).or_insert_with(|| spring_module_dir(path));
            }
        }
    }
    apps
}

/// The application a file of a Spring Cloud Config repository configures, by its name:
/// `{application}.yml`, `{application}-{profile}.properties` (a config server's git
/// repository, or its native `search-locations`). CI workflows are never one.
fn served_application<'a>(
    path: &str,
    name: &str,
    apps: &'a BTreeMap<String, String>,
) -> Option<&'a str> {
    if path.contains("/.") || path.starts_with('.') {
        return None;
    }
    let mut stem = [".yml", ".yaml", ".properties"]
        .iter()
        .find_map(|e| name.strip_suffix(e))?;
    loop {
        if let Some((app, _)) = apps.get_key_value(stem) {
            return Some(app);
        }
        stem = stem.rsplit_once('-')?.0;
    }
}

/// Whether a document reads as Spring Boot configuration: a top-level key among the
/// property groups Spring and Spring Cloud read (an OpenAPI spec or a CI pipeline
/// named after a service is not one).
fn is_spring_document(doc: &Yaml) -> bool {
    doc.entries().iter().any(|(k, _)| {
        k.scalar().is_some_and(|k| {
            let root = k.split('.').next().unwrap_or(&k);
            matches!(
                root,
                "spring"
                    | "server"
                    | "management"
                    | "eureka"
                    | "zuul"
                    | "ribbon"
                    | "feign"
                    | "hystrix"
                    | "security"
                    | "endpoints"
                    | "resilience4j"
            )
        })
    })
}

/// The deployments Spring configuration declares: each application's own
/// configuration files (`application.yml`, `bootstrap.properties` in its module), and
/// the files a config server serves it (`served`: path, application, documents), read
/// over the configuration the server serves every application (`application.yml` in
/// the same directory). A config server whose git repository is not among them says
/// so ([`Deployment::missing_config`]).
fn spring_deployments(
    parsed: &[(&str, Vec<Yaml>)],
    apps: &BTreeMap<String, String>,
    served: &[(&str, &str, Vec<Yaml>)],
) -> Vec<Deployment> {
    let dir_of = |path: &str| path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let served_dirs: BTreeSet<String> = served.iter().map(|(p, _, _)| dir_of(p)).collect();
    let mut shared: HashMap<String, Vec<Yaml>> = HashMap::new();
    let mut own = Vec::new();
    for (path, docs) in parsed {
        let name = path.rsplit_once('/').map_or(*path, |(_, n)| n);
        if !is_spring_config(name) {
            continue;
        }
        if served_dirs.contains(&dir_of(path)) {
            shared
                .entry(dir_of(path))
                .or_default()
                .extend(docs.iter().cloned());
        } else {
            own.push((*path, None, docs));
        }
    }
    let mut out = Vec::new();
    for (path, app, docs) in own
        .into_iter()
        .chain(served.iter().map(|(p, a, d)| (*p, Some(*a), d)))
    {
        let shared = shared.get(&dir_of(path)).map_or(&[][..], Vec::as_slice);
        let mut base = HashMap::new();
        for d in shared.iter().take(1).chain(docs.iter().take(1)) {
            flatten(d, "", &mut base);
        }
        let mut calls = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let mut props = base.clone();
            if i > 0 {
                flatten(d, "", &mut props);
            }
            config_calls(d, "", &props, &mut calls);
        }
        for (i, d) in shared.iter().enumerate() {
            let mut props = HashMap::new();
            for d in shared.iter().take(1).chain((i > 0).then_some(d)) {
                flatten(d, "", &mut props);
            }
            config_calls(d, "", &props, &mut calls);
        }
        // The default profile's port (the first document that sets one).
        let port = docs
            .iter()
            .find_map(|d| {
                d.get("server")
                    .and_then(|s| s.get("port"))
                    .or_else(|| d.get("server.port"))
                    .and_then(Yaml::scalar)
            })
            .map(|p| fill_properties(&p, &base));
        // Spring Cloud Stream's bindings: the destination each binding names
        // (`spring.cloud.stream.bindings.orders-in-0.destination: orders`).
        let bindings: BTreeMap<String, String> = base
            .iter()
            .filter(|(k, _)| {
                k.starts_with("spring.cloud.stream.bindings.") && k.ends_with(".destination")
            })
            .map(|(k, v)| (k.clone(), fill_properties(v, &base)))
            .collect();
        let deployment = match app {
            // Served to an application: its module runs it.
            Some(app) => spring_application(path, Some(app.to_string()), calls, port, bindings)
                .map(|d| Deployment {
                    build: apps.get(app).cloned(),
                    ..d
                }),
            None => spring_application(path, spring_name(docs), calls, port, bindings),
        };
        let Some(mut deployment) = deployment else {
            continue;
        };
        // A config server's git repository, when the workspace does not hold it.
        for d in docs {
            let mut props = base.clone();
            flatten(d, "", &mut props);
            let Some(uri) = props.get("spring.cloud.config.server.git.uri") else {
                continue;
            };
            let uri = fill_properties(uri, &props);
            let repo = uri.trim_end_matches('/').trim_end_matches(".git");
            let repo = repo.rsplit(['/', ':']).next().unwrap_or(repo);
            let held = served_dirs
                .iter()
                .any(|d| d.split('/').any(|part| part == repo));
            if !repo.is_empty() && !repo.contains(['{', '$']) && !held {
                deployment.missing_config.push(uri.clone());
            }
        }
        deployment.missing_config.sort();
        deployment.missing_config.dedup();
        out.push(deployment);
    }
    out
}

/// A properties file as the YAML document Spring reads the same way: each dotted key
/// a path of mappings (`zuul.routes.x.path=/x/**`). A key that is both a value and a
/// prefix of others keeps the others.
fn properties_yaml(text: &str) -> Yaml {
    fn insert(map: &mut Vec<(Yaml, Yaml)>, path: &[&str], value: &str) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let key = Yaml::Scalar((*first).to_string());
        let at = match map.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                map.push((key, Yaml::Null));
                map.len() - 1
            }
        };
        let slot = &mut map[at].1;
        if rest.is_empty() {
            if !matches!(slot, Yaml::Map(_)) {
                *slot = Yaml::Scalar(value.to_string());
            }
            return;
        }
        if !matches!(slot, Yaml::Map(_)) {
            *slot = Yaml::Map(Vec::new());
        }
        if let Yaml::Map(inner) = slot {
            insert(inner, rest, value);
        }
    }
    let mut root = Vec::new();
    for (k, v) in properties(text) {
        let path: Vec<&str> = k.split('.').collect();
        // Nesting as deep as YAML's limit, like any document read.
        if path.len() <= yaml::MAX_DEPTH && path.iter().all(|p| !p.is_empty()) {
            insert(&mut root, &path, v);
        }
    }
    Yaml::Map(root)
}

/// `key=value` and `key: value` lines of a properties file.
fn properties(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') {
            return None;
        }
        let at = line.find(['=', ':'])?;
        Some((line[..at].trim(), line[at + 1..].trim()))
    })
}

/// What the deployment files of a workspace declare, and what could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentScan {
    /// Deployments, sorted by (name, file).
    pub deployments: Vec<Deployment>,
    /// Problems, by workspace path (malformed YAML or TOML, documents too deep).
    pub diagnostics: Vec<(String, Diagnostic)>,
}

/// The deployments declared by the files given as (workspace path, text). `.env`
/// files give the values compose files interpolate; Helm templates are rendered from
/// their chart's `values.yaml` first. Never fails and never loops: a file or document
/// that does not parse becomes a diagnostic and the rest is still read.
pub fn parse_deployments(files: &[(String, String)]) -> DeploymentScan {
    let mut scan = DeploymentScan::default();
    let mut dotenv: HashMap<String, String> = HashMap::new();
    for (_, text) in files.iter().filter(|(p, _)| p.ends_with(".env")) {
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                dotenv.insert(k.trim().to_string(), unquote(v.trim()).to_string());
            }
        }
    }
    let mut report = |path: &str, errors: Vec<YamlError>| {
        for e in errors {
            scan.diagnostics.push((
                path.to_string(),
                Diagnostic {
                    line: Some(e.line.max(1)),
                    message: e.message,
                },
            ));
        }
    };
    // Helm charts: the chart's name and values, by directory.
    let mut charts: HashMap<&str, (String, Option<Yaml>)> = HashMap::new();
    for (path, text) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        if name == "Chart.yaml" {
            let (doc, errors) = yaml::single(text);
            report(path, errors);
            if let Some(n) = doc
                .as_ref()
                .and_then(|d| d.get("name"))
                .and_then(Yaml::scalar)
            {
                charts.insert(dir, (n, None));
            }
        }
    }
    for (path, text) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        if let (Some(chart), "values.yaml" | "values.yml") = (charts.get_mut(dir), name) {
            let (doc, errors) = yaml::single(text);
            report(path, errors);
            chart.1 = doc;
        }
    }
    // The charts' named templates (`_helpers.tpl`), by chart directory.
    let mut defines: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for (path, text) in files.iter().filter(|(_, t)| t.contains("define")) {
        if let Some(dir) = chart_dir(path, &charts) {
            yaml::helm_defines(text, defines.entry(dir).or_default());
        }
    }
    // Every YAML file as documents, Helm templates rendered first.
    let mut parsed: Vec<(&str, Vec<Yaml>)> = Vec::new();
    // Gateways configured by a file of their own (Envoy, Kong).
    let mut gateways: Vec<Deployment> = Vec::new();
    // Other YAML and properties files: a config server's, when named after an
    // application (see [`served_application`]).
    let mut maybe_served: Vec<(&str, &str)> = Vec::new();
    for (path, text) in files {
        let name = path.rsplit_once('/').map_or(path.as_str(), |(_, n)| n);
        let (dir, _) = path.rsplit_once('/').unwrap_or(("", path));
        let compose = name.starts_with("docker-compose") || name.starts_with("compose");
        let values = name.starts_with("values") && charts.contains_key(dir);
        // Other YAML (CI workflows, OpenAPI specs) is read only when it may hold
        // Kubernetes objects.
        let spring = is_spring_config(name);
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if name.ends_with(".properties") {
            if spring {
                parsed.push((path, vec![properties_yaml(text)]));
            } else {
                maybe_served.push((path, text));
            }
            continue;
        }
        if !yaml || name == "Chart.yaml" {
            continue;
        }
        // A gateway's own configuration (Envoy, Kong): its routes.
        let envoy = crate::gateways::is_envoy(text);
        if (envoy || crate::gateways::is_kong(text)) && !text.contains("kind:") {
            let (docs, errors) = yaml::documents(text);
            report(path, errors);
            let mut calls = if envoy {
                crate::gateways::envoy_routes(&docs)
            } else {
                docs.iter().flat_map(crate::gateways::kong_routes).collect()
            };
            calls.sort();
            calls.dedup();
            if !calls.is_empty() {
                gateways.push(gateway_deployment(path, calls));
            }
            continue;
        }
        if !compose && !values && !spring && !text.contains("kind:") {
            maybe_served.push((path, text));
            continue;
        }
        let rendered;
        let text = if yaml::is_template(text) {
            let dir = chart_dir(path, &charts);
            let chart = dir.and_then(|d| charts.get(d));
            let ctx = HelmContext {
                values: chart.and_then(|(_, v)| v.as_ref()),
                chart: chart.map_or("", |(n, _)| n.as_str()),
                defines: dir.and_then(|d| defines.get(d)),
                depth: 0,
                expansions: &std::cell::Cell::new(yaml::MAX_EXPANSIONS),
            };
            rendered = yaml::render_helm(text, &ctx);
            &rendered
        } else {
            text
        };
        let (docs, errors) = yaml::documents(text);
        report(path, errors);
        parsed.push((path, docs));
    }
    // The Spring applications by name, then the files a config server serves them.
    let apps = spring_applications(&parsed);
    let mut served = Vec::new();
    for (path, text) in maybe_served {
        let name = path.rsplit_once('/').map_or(path, |(_, n)| n);
        let Some(app) = served_application(path, name, &apps) else {
            continue;
        };
        let docs = if name.ends_with(".properties") {
            vec![properties_yaml(text)]
        } else {
            let (docs, errors) = yaml::documents(text);
            report(path, errors);
            docs
        };
        if docs.first().is_some_and(is_spring_document) {
            served.push((path, app, docs));
        }
    }
    // Kubernetes ConfigMaps and Secrets, by name, for the containers that read them;
    // Services, for the workloads they select.
    let mut config: ConfigData = HashMap::new();
    let mut selectors: Vec<Selector> = Vec::new();
    for (path, docs) in &parsed {
        config_data(path, docs, &mut config);
        service_selectors(path, docs, &mut selectors);
    }
    let mut out = Vec::new();
    // The base URLs entrypoint scripts give, by directory.
    let mut script_base_urls: HashMap<&str, String> = HashMap::new();
    for (path, text) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        if is_entrypoint_script(name) && !script_base_urls.contains_key(dir) {
            if let Some(url) = command_base_url(text) {
                script_base_urls.insert(dir, url);
            }
        }
    }
    for (path, text) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let dir_name = dir.rsplit('/').next().unwrap_or(dir);
        if name == "Dockerfile" {
            let env = dockerfile_env(text);
            let image = dockerfile_image(text);
            // The command it runs, or the entrypoint script beside it.
            let base_url = command_base_url(text).or_else(|| script_base_urls.get(dir).cloned());
            if (!env.is_empty() || image.is_some()) && !dir_name.is_empty() {
                out.push(Deployment {
                    name: dir_name.to_string(),
                    file: path.clone(),
                    build: Some(dir.to_string()),
                    env,
                    image,
                    base_url,
                    ..Deployment::default()
                });
            }
        } else if is_proxy_config(name) {
            let mut calls = proxy_routes(text);
            calls.sort();
            calls.dedup();
            if !calls.is_empty() {
                out.push(gateway_deployment(path, calls));
            }
        }
    }
    for (path, text) in files {
        let name = path.rsplit_once('/').map_or(path.as_str(), |(_, n)| n);
        if crate::aspire::is_app_host_file(name) {
            out.extend(crate::aspire::deployments(path, text));
        }
        // A file read whole or not at all: what it declares, or why not.
        let read = match name {
            _ if crate::appsettings::is_settings_file(name) => {
                crate::appsettings::deployment(path, text).map(Vec::from_iter)
            }
            "cartograph.toml" => aliases(path, text),
            _ => continue,
        };
        match read {
            Ok(found) => out.extend(found),
            Err(message) => scan.diagnostics.push((
                path.clone(),
                Diagnostic {
                    line: None,
                    message,
                },
            )),
        }
    }
    for (path, docs) in &parsed {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let compose = name.starts_with("docker-compose") || name.starts_with("compose");
        if is_spring_config(name) {
            continue;
        } else if compose {
            out.extend(
                docs.iter()
                    .take(1)
                    .flat_map(|d| compose_services(path, d, &dotenv)),
            );
        } else if name.starts_with("values") && charts.contains_key(dir) {
            let chart = &charts[dir].0;
            // A values file that does not parse still names its chart's deployment.
            out.push(helm_values(
                path,
                docs.first().unwrap_or(&Yaml::Null),
                chart,
            ));
        } else {
            out.extend(kubernetes_deployments(path, docs, &config, &selectors));
            out.extend(crate::gateways::kubernetes_routes(path, docs));
        }
    }
    out.extend(gateways);
    out.extend(spring_deployments(&parsed, &apps, &served));
    // A deployment naming only its image runs what a script builds it from.
    fn file_name(path: &str) -> &str {
        path.rsplit('/').next().unwrap_or(path)
    }
    let dockerfiles: HashSet<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| crate::images::is_dockerfile(file_name(p)))
        .collect();
    let scripts = files.iter().filter(|(p, text)| {
        let name = file_name(p);
        (crate::images::is_build_script(name) || name.ends_with(".yml") || name.ends_with(".yaml"))
            && text.contains("build")
    });
    let built =
        crate::images::built_images(scripts.map(|(p, t)| (p.as_str(), t.as_str())), &dockerfiles);
    for d in out.iter_mut().filter(|d| d.build.is_none()) {
        if let Some(dir) = d.image.as_deref().and_then(|i| built.get(&image_name(i))) {
            d.build = Some(dir.clone());
        }
    }
    out.sort_by(|a, b| (&a.name, &a.file).cmp(&(&b.name, &b.file)));
    scan.deployments = out;
    scan.diagnostics.sort_by(|a, b| a.0.cmp(&b.0));
    scan
}

/// A gateway run from the directory of its configuration file (or the one above a
/// `conf`/`nginx` folder), forwarding its routes.
fn gateway_deployment(path: &str, calls: Vec<ConfigCall>) -> Deployment {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let dir_name = dir.rsplit('/').next().unwrap_or(dir);
    let owner = match dir_name {
        "conf" | "conf.d" | "nginx" | "config" => dir.rsplit_once('/').map_or("", |(d, _)| d),
        _ => dir,
    };
    let owner_name = owner.rsplit('/').next().unwrap_or(owner);
    Deployment {
        name: if owner_name.is_empty() {
            "gateway".to_string()
        } else {
            owner_name.to_string()
        },
        file: path.to_string(),
        build: Some(owner.to_string()),
        calls,
        ..Deployment::default()
    }
}

/// The directory of the chart a file belongs to (the nearest above it with a
/// `Chart.yaml`).
fn chart_dir<'c, V>(path: &str, charts: &HashMap<&'c str, V>) -> Option<&'c str> {
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if let Some((found, _)) = charts.get_key_value(parent) {
            return Some(found);
        }
        dir = parent;
    }
    charts.get_key_value("").map(|(found, _)| *found)
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

/// `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR`, from `vars`.
fn interpolate(value: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                out.push_str(&rest[at..]);
                return out;
            };
            let expr = &inner[..end];
            let (var, default) = match expr.split_once(":-").or_else(|| expr.split_once('-')) {
                Some((v, d)) => (v, Some(d)),
                None => (expr, None),
            };
            match vars.get(var) {
                Some(v) if !v.is_empty() => out.push_str(v),
                _ => out.push_str(default.unwrap_or("")),
            }
            rest = &inner[end + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            out.push_str(vars.get(&after[..len]).map_or("", String::as_str));
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// The directory of `file` joined with a relative `path`, normalised.
pub(crate) fn join(file: &str, path: &str) -> String {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `cartograph.toml`: other names a service answers to (hostnames, DNS names),
/// by the directory of its code:
///
/// ```toml
/// [[service]]
/// path = "services/cart"
/// aliases = ["cart", "cart.internal"]
/// ```
fn aliases(path: &str, text: &str) -> Result<Vec<Deployment>, String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        service: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        path: String,
        #[serde(default)]
        aliases: Vec<String>,
    }
    let file =
        toml::from_str::<File>(text).map_err(|e| format!("malformed toml: {}", e.message()))?;
    let mut out = Vec::new();
    for entry in file.service {
        let build = join(path, &entry.path);
        for alias in entry.aliases {
            out.push(Deployment {
                name: alias,
                file: path.to_string(),
                build: Some(build.clone()),
                env: BTreeMap::new(),
                ..Deployment::default()
            });
        }
    }
    Ok(out)
}

/// A Helm chart's values file: the chart deploys a service of its name, with the
/// environment its `env` gives (a map, or a list of `name`/`value` pairs), at the
/// top level or under one key (`app.env`).
fn helm_values(path: &str, doc: &Yaml, chart: &str) -> Deployment {
    let mut env = BTreeMap::new();
    let mut read = |v: &Yaml| match v {
        Yaml::Map(_) => {
            for (k, v) in v.entries() {
                if let (Some(k), Some(v)) = (k.scalar(), v.scalar()) {
                    env.insert(k, v);
                }
            }
        }
        Yaml::Seq(items) => {
            for item in items {
                if let (Some(k), Some(v)) = (
                    item.get("name").and_then(Yaml::scalar),
                    item.get("value").and_then(Yaml::scalar),
                ) {
                    env.insert(k, v);
                }
            }
        }
        _ => {}
    };
    if let Some(e) = doc.get("env") {
        read(e);
    }
    for (_, v) in doc.entries() {
        if let Some(e) = v.get("env") {
            read(e);
        }
    }
    Deployment {
        name: chart.to_string(),
        file: path.to_string(),
        build: None,
        env,
        ..Deployment::default()
    }
}

fn compose_services(path: &str, doc: &Yaml, dotenv: &HashMap<String, String>) -> Vec<Deployment> {
    let Some(services) = doc.get("services") else {
        return Vec::new();
    };
    let mut out: Vec<Deployment> = Vec::new();
    // Routes of a Traefik gateway, from the labels of the services it routes to.
    let mut routed: Vec<ConfigCall> = Vec::new();
    for (name, svc) in services.entries() {
        let Some(name) = name.scalar() else { continue };
        let build = match svc.get("build") {
            Some(Yaml::Scalar(ctx)) => Some(join(path, ctx)),
            Some(b) => b
                .get("context")
                .and_then(Yaml::scalar)
                .map(|c| join(path, &c)),
            None => None,
        };
        let mut env = BTreeMap::new();
        match svc.get("environment") {
            Some(m @ Yaml::Map(_)) => {
                for (k, v) in m.entries() {
                    if let (Some(k), Some(v)) = (k.scalar(), v.scalar()) {
                        env.insert(k, interpolate(&v, dotenv));
                    }
                }
            }
            Some(Yaml::Seq(items)) => {
                for item in items.iter().filter_map(Yaml::scalar) {
                    if let Some((k, v)) = item.split_once('=') {
                        env.insert(k.to_string(), interpolate(v, dotenv));
                    }
                }
            }
            _ => {}
        }
        out.push(Deployment {
            name,
            file: path.to_string(),
            build,
            env,
            image: svc.get("image").and_then(Yaml::scalar),
            ports: svc
                .get("ports")
                .map(Yaml::items)
                .unwrap_or_default()
                .iter()
                .filter_map(published_port)
                .collect(),
            mounts: svc
                .get("volumes")
                .map(Yaml::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| {
                    // `./nginx/nginx.conf:/etc/nginx/nginx.conf:ro`, or `source:`.
                    let source = match v {
                        Yaml::Scalar(s) => s.split(':').next().map(str::to_string),
                        m => m.get("source").and_then(Yaml::scalar),
                    }?;
                    source
                        .starts_with('.')
                        .then(|| join(path, &interpolate(&source, dotenv)))
                })
                .collect(),
            depends_on: match svc.get("depends_on") {
                Some(Yaml::Seq(items)) => items.iter().filter_map(Yaml::scalar).collect(),
                Some(m @ Yaml::Map(_)) => {
                    m.entries().iter().filter_map(|(k, _)| k.scalar()).collect()
                }
                _ => Vec::new(),
            },
            ..Deployment::default()
        });
        // Traefik's routers on the service's labels: calls of the Traefik gateway.
        let labels: Vec<(String, String)> = match svc.get("labels") {
            Some(m @ Yaml::Map(_)) => string_pairs(Some(m)),
            Some(Yaml::Seq(items)) => items
                .iter()
                .filter_map(Yaml::scalar)
                .filter_map(|l| {
                    l.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect(),
            _ => Vec::new(),
        };
        let name = &out[out.len() - 1].name;
        routed.extend(crate::gateways::traefik_routes(name, &labels));
    }
    let traefik = out
        .iter_mut()
        .find(|d| d.image.as_deref().map(image_name).as_deref() == Some("traefik"));
    if let Some(gateway) = traefik {
        gateway.calls.extend(routed);
        gateway.calls.sort();
        gateway.calls.dedup();
    }
    out
}

/// A Kubernetes object's `metadata.name`.
pub(crate) fn metadata_name(doc: &Yaml) -> Option<String> {
    doc.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Yaml::scalar)
        .filter(|n| !n.is_empty())
}

/// Key-value data of ConfigMaps (`data`) and Secrets (`stringData`; base64 `data` is
/// decoded), by the object's name, then by the file that defines it (overlays and
/// variants often define one name several times).
type ConfigData = HashMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// The data of the ConfigMap or Secret `name` as a workload in `file` sees it: the
/// definition nearest to the file (the longest shared directory), then the first.
fn config_for<'c>(
    config: &'c ConfigData,
    name: &str,
    file: &str,
) -> Option<&'c BTreeMap<String, String>> {
    let shared = |other: &str| {
        file.split('/')
            .zip(other.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    config
        .get(name)?
        .iter()
        .max_by(|a, b| shared(a.0).cmp(&shared(b.0)).then_with(|| b.0.cmp(a.0)))
        .map(|(_, data)| data)
}

fn config_data(path: &str, docs: &[Yaml], out: &mut ConfigData) {
    for doc in docs {
        let kind = doc.get("kind").and_then(Yaml::scalar).unwrap_or_default();
        let fields: &[(&str, bool)] = match kind.as_str() {
            "ConfigMap" => &[("data", false)],
            "Secret" => &[("data", true), ("stringData", false)],
            _ => continue,
        };
        let Some(name) = metadata_name(doc) else {
            continue;
        };
        let entry = out
            .entry(name)
            .or_default()
            .entry(path.to_string())
            .or_default();
        for (field, encoded) in fields {
            let Some(map) = doc.get(field) else {
                continue;
            };
            for (k, v) in map.entries() {
                let (Some(k), Some(v)) = (k.scalar(), v.scalar()) else {
                    continue;
                };
                let v = if *encoded { base64_text(&v) } else { Some(v) };
                if let Some(v) = v {
                    entry.insert(k, v);
                }
            }
        }
    }
}

/// Decodes standard base64 into UTF-8 text; `None` when it is not both.
fn base64_text(encoded: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut bytes = Vec::with_capacity(encoded.len() * 3 / 4);
    for c in encoded.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Replaces Kubernetes' `$(NAME)` references to other variables of the container.
fn expand_dependent(env: &mut BTreeMap<String, String>) {
    let known = env.clone();
    for v in env.values_mut() {
        if !v.contains("$(") {
            continue;
        }
        for (k, value) in &known {
            let reference = format!("$({k})");
            if v.contains(&reference) && !value.contains("$(") {
                *v = v.replace(&reference, value);
            }
        }
    }
}

/// A Kubernetes Service: its name, the pod labels it selects, and its file.
struct Selector {
    name: String,
    labels: Vec<(String, String)>,
    file: String,
}

/// A mapping's scalar entries (labels, a selector).
fn string_pairs(map: Option<&Yaml>) -> Vec<(String, String)> {
    map.map(Yaml::entries)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k.scalar()?, v.scalar()?)))
        .collect()
}

/// The Services of a file that select pods by labels (a Service without a selector
/// fronts endpoints managed apart: none).
fn service_selectors(path: &str, docs: &[Yaml], out: &mut Vec<Selector>) {
    for doc in docs {
        if doc.get("kind").and_then(Yaml::scalar).as_deref() != Some("Service") {
            continue;
        }
        let Some(name) = metadata_name(doc) else {
            continue;
        };
        let labels = string_pairs(doc.get("spec").and_then(|s| s.get("selector")));
        if !labels.is_empty() {
            out.push(Selector {
                name,
                labels,
                file: path.to_string(),
            });
        }
    }
}

/// The names of the Services selecting a workload's pods (`labels`), for a workload
/// in `file`: the Services of the nearest directory that select it (overlays and
/// variants define their own), so a call to `cart-svc` reaches the `cart`
/// Deployment it selects.
fn selecting_services(
    selectors: &[Selector],
    labels: &[(String, String)],
    file: &str,
) -> Vec<String> {
    let selecting: Vec<&Selector> = selectors
        .iter()
        .filter(|s| s.labels.iter().all(|pair| labels.contains(pair)))
        .collect();
    let shared = |other: &str| {
        file.split('/')
            .zip(other.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    let nearest = selecting.iter().map(|s| shared(&s.file)).max();
    let mut names: Vec<String> = selecting
        .into_iter()
        .filter(|s| Some(shared(&s.file)) == nearest)
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn kubernetes_deployments(
    path: &str,
    docs: &[Yaml],
    config: &ConfigData,
    selectors: &[Selector],
) -> Vec<Deployment> {
    let mut out = Vec::new();
    for doc in docs {
        let kind = doc.get("kind").and_then(Yaml::scalar).unwrap_or_default();
        if !matches!(kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") {
            continue;
        }
        let Some(name) = metadata_name(doc) else {
            continue;
        };
        let containers = doc
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .map(Yaml::items)
            .unwrap_or_default();
        let mut env = BTreeMap::new();
        let seq = |v: &'_ Yaml, key: &str| v.get(key).map(Yaml::items).unwrap_or_default().to_vec();
        let name_of = |v: Option<&Yaml>| v.and_then(|r| r.get("name")).and_then(Yaml::scalar);
        for c in containers {
            // `envFrom` first: `env` overrides it.
            for from in seq(c, "envFrom") {
                let source =
                    name_of(from.get("configMapRef")).or_else(|| name_of(from.get("secretRef")));
                let prefix = from
                    .get("prefix")
                    .and_then(Yaml::scalar)
                    .unwrap_or_default();
                for (k, v) in source
                    .and_then(|n| config_for(config, &n, path))
                    .into_iter()
                    .flatten()
                {
                    env.insert(format!("{prefix}{k}"), v.clone());
                }
            }
            for e in seq(c, "env") {
                let Some(k) = e.get("name").and_then(Yaml::scalar) else {
                    continue;
                };
                let value = e.get("value").and_then(Yaml::scalar).or_else(|| {
                    let from = e.get("valueFrom")?;
                    let r = from
                        .get("configMapKeyRef")
                        .or_else(|| from.get("secretKeyRef"))?;
                    let key = r.get("key").and_then(Yaml::scalar)?;
                    config_for(config, &name_of(Some(r))?, path)?
                        .get(&key)
                        .cloned()
                });
                if let Some(v) = value {
                    env.insert(k, v);
                }
            }
        }
        expand_dependent(&mut env);
        let app_id = doc
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("dapr.io/app-id"))
            .and_then(Yaml::scalar)
            .filter(|id| *id != name);
        let pod_labels = string_pairs(
            doc.get("spec")
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("labels")),
        );
        let mut aliases: Vec<String> = app_id.into_iter().collect();
        for service in selecting_services(selectors, &pod_labels, path) {
            if service != name && !aliases.contains(&service) {
                aliases.push(service);
            }
        }
        out.push(Deployment {
            name,
            file: path.to_string(),
            build: None,
            aliases,
            env,
            image: containers
                .first()
                .and_then(|c| c.get("image"))
                .and_then(Yaml::scalar),
            ..Deployment::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_env_comes_from_config_maps_and_secrets_too() {
        let k8s = "kind: ConfigMap\nmetadata:\n  name: addresses\ndata:\n  CART_HOST: cart\n  ADS_URL: http://ads:9555\n---\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  LEDGER_URL: aHR0cDovL2xlZGdlcjo5MDAw\n---\nkind: Deployment\nmetadata:\n  name: checkout\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          envFrom:\n            - configMapRef:\n                name: addresses\n          env:\n            - name: CART_URL\n              value: http://$(CART_HOST):8080\n            - name: LEDGER\n              valueFrom:\n                secretKeyRef:\n                  name: creds\n                  key: LEDGER_URL\n            - name: ADS_URL\n              value: http://ads-override:1\n";
        let found = parse_deployments(&[("k8s/app.yaml".to_string(), k8s.to_string())]).deployments;
        assert_eq!(found.len(), 1);
        let env = &found[0].env;
        assert_eq!(env["CART_HOST"], "cart");
        assert_eq!(env["CART_URL"], "http://cart:8080");
        assert_eq!(env["LEDGER"], "http://ledger:9000");
        // `env` overrides `envFrom`.
        assert_eq!(env["ADS_URL"], "http://ads-override:1");
        assert_eq!(base64_text("aGk="), Some("hi".to_string()));
    }

    #[test]
    fn a_kubernetes_service_is_a_name_of_the_workloads_it_selects() {
        let workload = |name: &str, labels: &str| {
            format!("kind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    metadata:\n      labels: {labels}\n    spec:\n      containers:\n        - name: app\n          image: shop/{name}\n")
        };
        let service = |name: &str, selector: &str| {
            format!("kind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {selector}\n  ports:\n    - port: 80\n")
        };
        let found = parse_deployments(&[
            (
                "k8s/base/cart.yaml".to_string(),
                workload("cart", "{app: cart, tier: backend}"),
            ),
            (
                "k8s/base/services.yaml".to_string(),
                [
                    service("cart-svc", "{app: cart}"),
                    // Selects no pod of the workload's: no name of it.
                    service("orders-svc", "{app: orders}"),
                    // A Service without a selector fronts what is managed apart.
                    "kind: Service\nmetadata:\n  name: external\nspec:\n  ports:\n    - port: 80\n"
                        .to_string(),
                ]
                .join("---\n"),
            ),
            // An overlay's own Service is the nearer one for the overlay's workload.
            (
                "k8s/prod/cart.yaml".to_string(),
                [
                    workload("cart-prod", "{app: cart}"),
                    service("cart-public", "{app: cart}"),
                ]
                .join("---\n"),
            ),
        ])
        .deployments;
        let aliases: Vec<(&str, &[String])> = found
            .iter()
            .map(|d| (d.name.as_str(), d.aliases.as_slice()))
            .collect();
        assert_eq!(
            aliases,
            [
                ("cart", &["cart-svc".to_string()][..]),
                ("cart-prod", &["cart-public".to_string()][..]),
            ]
        );
    }

    #[test]
    fn compose_and_kubernetes_give_names_builds_and_env() {
        let compose = "services:\n  checkout:\n    build: ./checkoutservice\n    environment:\n      CART_URL: http://cartservice:${CART_PORT:-8080}\n  ads:\n    build:\n      context: ../ads\n    environment:\n      - ADS=${ADS_HOST}\n";
        let k8s = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: LEDGER_URL\n              value: http://ledger:9000\n---\nkind: Service\nmetadata:\n  name: payment\n";
        let found = parse_deployments(&[
            ("deploy/docker-compose.yml".to_string(), compose.to_string()),
            (
                "deploy/.env".to_string(),
                "ADS_HOST=adservice\n".to_string(),
            ),
            ("k8s/payment.yaml".to_string(), k8s.to_string()),
        ])
        .deployments;
        let names: Vec<&str> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["ads", "checkout", "payment"]);
        assert_eq!(found[0].build.as_deref(), Some("ads"));
        assert_eq!(found[0].env["ADS"], "adservice");
        assert_eq!(found[1].build.as_deref(), Some("deploy/checkoutservice"));
        assert_eq!(found[1].env["CART_URL"], "http://cartservice:8080");
        assert_eq!(found[2].env["LEDGER_URL"], "http://ledger:9000");
        assert_eq!(
            interpolate("http://x:${P:-8080}/a", &HashMap::new()),
            "http://x:8080/a"
        );
        let vars = HashMap::from([("H".to_string(), "cart".to_string())]);
        assert_eq!(interpolate("http://$H/a", &vars), "http://cart/a");
    }

    /// Parses on another thread and fails instead of hanging when a reader loops.
    fn parse_within_seconds(files: &[(&str, &str)]) -> DeploymentScan {
        let owned: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(parse_deployments(&owned));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(scan) => scan,
            Err(_) => panic!("deployment parsing did not finish within 10 s"),
        }
    }

    #[test]
    fn malformed_deployment_files_are_diagnostics_never_loops() {
        let helm_if = "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- end }}\n";
        let bad_k8s = "kind: Deployment\nmetadata:\n  name: [broken\nspec:\n  containers: {\n---\nkind: Deployment\nmetadata:\n  name: ok\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n            - name: A\n              value: http://a:1\n";
        let bad_secret = "kind: Secret\nmetadata: {name: s\ndata:\n  K: '\n";
        let scan = parse_within_seconds(&[
            ("chart/templates/cm.yaml", helm_if),
            ("k8s/app.yaml", bad_k8s),
            ("k8s/secret.yaml", bad_secret),
            ("docker-compose.yml", "services:\n  a: [\n    b: {\n"),
            ("deploy/compose.yaml", "\t- not yaml: : :\n"),
            (".env", "=\n==\nA\n\u{0}=\u{0}\n"),
            ("cartograph.toml", "[[service]\npath = \n"),
            ("chart/Chart.yaml", "name: chart\n"),
            ("chart/values.yaml", "env: [a, {b\n"),
        ]);
        let names: Vec<&str> = scan.deployments.iter().map(|d| d.name.as_str()).collect();
        // The good document after a broken one is still read; the broken values file
        // still names its chart's deployment.
        assert_eq!(names, ["chart", "ok"]);
        assert_eq!(scan.deployments[1].env["A"], "http://a:1");
        let files: Vec<&str> = scan.diagnostics.iter().map(|(p, _)| p.as_str()).collect();
        for bad in [
            "cartograph.toml",
            "chart/values.yaml",
            "deploy/compose.yaml",
            "docker-compose.yml",
            "k8s/app.yaml",
            "k8s/secret.yaml",
        ] {
            assert!(
                files.contains(&bad),
                "no diagnostic for {bad}: {:?}",
                scan.diagnostics
            );
        }
        // The Helm template renders to valid YAML: no diagnostic.
        assert!(
            !files.contains(&"chart/templates/cm.yaml"),
            "{:?}",
            scan.diagnostics
        );
    }

    #[test]
    fn helm_templates_give_deployments_with_their_values() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"cart.fullname\" . }}\n  labels:\n    {{- include \"cart.labels\" . | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          env:\n            {{- if .Values.redis.enabled }}\n            - name: REDIS_ADDR\n              value: \"{{ .Values.redis.host }}:6379\"\n            {{- end }}\n            - name: CATALOG_URL\n              value: {{ .Values.catalog.url | quote }}\n";
        let values =
            "redis:\n  enabled: true\n  host: cart-redis\ncatalog:\n  url: http://catalog:8080\n";
        let scan = parse_within_seconds(&[
            ("charts/cart/Chart.yaml", "apiVersion: v2\nname: cart\n"),
            ("charts/cart/values.yaml", values),
            ("charts/cart/templates/deployment.yaml", deployment),
        ]);
        assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
        let rendered: Vec<_> = scan
            .deployments
            .iter()
            .filter(|d| d.file.ends_with("deployment.yaml"))
            .collect();
        assert_eq!(rendered.len(), 1, "{:?}", scan.deployments);
        assert_eq!(rendered[0].name, "cart");
        assert_eq!(rendered[0].env["REDIS_ADDR"], "cart-redis:6379");
        assert_eq!(rendered[0].env["CATALOG_URL"], "http://catalog:8080");
    }

    #[test]
    fn spring_boot_configuration_names_its_service() {
        let scan = parse_within_seconds(&[
            (
                "customers-service/src/main/resources/application.yml",
                "spring:\n  application:\n    name: customers-service\n---\nspring:\n  config:\n    activate:\n      on-profile: docker\n",
            ),
            (
                "gateway/src/main/resources/bootstrap.yml",
                "spring.application.name: ${GATEWAY_NAME:api-gateway}\n",
            ),
            (
                "shipping/src/main/resources/application.properties",
                "# the shipping service\nspring.application.name=shipping\nserver.port=8080\n",
            ),
            ("other/src/main/resources/application.yml", "server:\n  port: 1\n"),
        ]);
        let found: Vec<(&str, Option<&str>)> = scan
            .deployments
            .iter()
            .map(|d| (d.name.as_str(), d.build.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("api-gateway", Some("gateway")),
                ("customers-service", Some("customers-service")),
                // No name, but a port other processes on its host reach it by.
                ("other", Some("other")),
                ("shipping", Some("shipping")),
            ]
        );
        assert!(is_deployment_file("application-docker.properties"));
        // A config server's file for an application.
        assert!(is_deployment_file("shipping-docker.properties"));
    }

    #[test]
    fn properties_read_as_yaml_and_placeholders_read_the_same_configuration() {
        let doc = properties_yaml(
            "a.b=1\na=2\nzuul.routes.x=/x/**\nc..d=3\nhost=auth\nurl=http://${host}:${port:80}/${missing}\n",
        );
        assert_eq!(
            doc.get("a").and_then(|a| a.get("b")).and_then(Yaml::scalar),
            Some("1".to_string())
        );
        assert!(doc.get("c").is_none());
        let mut props = HashMap::new();
        flatten(&doc, "", &mut props);
        assert_eq!(
            props.get("zuul.routes.x").map(String::as_str),
            Some("/x/**")
        );
        assert_eq!(
            fill_properties(&props["url"], &props),
            "http://auth:${port:80}/${missing}"
        );
        // A property naming itself stops.
        let looped = HashMap::from([("a".to_string(), "x${a}".to_string())]);
        assert_eq!(fill_properties("${a}", &looped), "xxxx${a}");
        let mut calls = Vec::new();
        zuul_routes(
            doc.get("zuul").and_then(|z| z.get("routes")).unwrap(),
            &props,
            &mut calls,
        );
        assert_eq!(calls[0].url, "lb://x");
        assert_eq!(calls[0].route.as_deref(), Some("/x/**"));
    }

    #[test]
    fn proxy_configurations_give_their_routes() {
        let nginx = "upstream backend {\n  server orders:80 weight=2;\n}\nserver {\n  location = /health { return 200; }\n  location /api/ {\n    proxy_pass http://backend/api/; # forward\n  }\n  location ~* /img/ {\n    proxy_pass http://$IMAGES_HOST:8080;\n  }\n}\n";
        let calls: Vec<(String, Option<String>)> = proxy_routes(nginx)
            .into_iter()
            .map(|c| (c.url, c.route))
            .collect();
        assert_eq!(
            calls,
            [
                (
                    "http://orders:80/api/".to_string(),
                    Some("/api/".to_string())
                ),
                (
                    "http://{env:IMAGES_HOST}:8080".to_string(),
                    Some("/img/".to_string())
                ),
            ]
        );
        let apache = "Define CART \"/cart\"\nProxyPass \"${CART}\" \"http://cart:8080\"\nProxyPass /static !\n";
        let calls: Vec<(String, Option<String>)> = proxy_routes(apache)
            .into_iter()
            .map(|c| (c.url, c.route))
            .collect();
        assert_eq!(
            calls,
            [("http://cart:8080".to_string(), Some("/cart".to_string()))]
        );
        assert_eq!(
            dockerfile_image("FROM --platform=linux/amd64 maven:3 AS build\nRUN x\nFROM mariadb:10 AS base\nFROM base\n"),
            Some("mariadb:10".to_string())
        );
        assert_eq!(dockerfile_image("FROM scratch\n"), None);
    }

    #[test]
    fn spring_placeholders_are_environment_lookups_with_their_defaults() {
        assert_eq!(
            service_url("mongodb://${db:carts-db}:27017/data").as_deref(),
            Some("mongodb://{env:db|carts-db}:27017/data")
        );
        assert_eq!(
            service_url("${CATALOGUE_URL:http://catalogue:8080}").as_deref(),
            Some("http://catalogue:8080")
        );
        // A host only the environment gives: the deployment may set it.
        assert_eq!(
            service_url("jdbc:mysql://${DB_HOST}/cities").as_deref(),
            Some("jdbc:mysql://{env:DB_HOST}/cities")
        );
        assert_eq!(service_url("http://x${HOST}/x"), None);
        assert_eq!(
            crate::http::spring_placeholders("jdbc:mysql://${DB_HOST}/${DB:cities}", false),
            "jdbc:mysql://{env:DB_HOST}/{env:DB|cities}"
        );
    }

    #[test]
    fn compose_and_spring_declare_the_ports_a_service_listens_on() {
        let scan = parse_within_seconds(&[
            (
                "docker-compose.yml",
                "services:\n  web:\n    build: ./web\n    ports:\n      - \"8080:80\"\n      - \"127.0.0.1:9090:90/tcp\"\n      - published: 7070\n        target: 70\n      - \"6060\"\n",
            ),
            (
                "cart/src/main/resources/application.properties",
                "server.port=${PORT:11082}\n",
            ),
        ]);
        let ports: Vec<(&str, &[u16])> = scan
            .deployments
            .iter()
            .map(|d| (d.name.as_str(), d.ports.as_slice()))
            .collect();
        assert_eq!(
            ports,
            [("cart", &[11082][..]), ("web", &[8080, 9090, 7070][..])]
        );
    }

    #[test]
    fn dockerfiles_give_their_environment() {
        let env = dockerfile_env("FROM x\nENV A=1 B=\"two words\" \\\n    C=3\nENV D 4\n");
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two words");
        assert_eq!(env["C"], "3");
        assert_eq!(env["D"], "4");
    }

    #[test]
    fn a_workload_reads_the_nearest_definition_of_its_config_map() {
        let cm = |v: &str| {
            format!(
                "kind: ConfigMap\nmetadata:\n  name: addresses\ndata:\n  LEDGER_ADDR: \"{v}\"\n"
            )
        };
        let deployment = "kind: Deployment\nmetadata:\n  name: frontend\nspec:\n  template:\n    spec:\n      containers:\n        - envFrom:\n            - configMapRef:\n                name: addresses\n";
        let scan = parse_within_seconds(&[
            ("k8s/config.yaml", &cm("ledger:8080")),
            ("k8s/frontend.yaml", deployment),
            (
                "variants/monolith/config.yaml",
                &cm("monolith.internal:8080"),
            ),
        ]);
        assert_eq!(scan.deployments[0].env["LEDGER_ADDR"], "ledger:8080");
    }
}
