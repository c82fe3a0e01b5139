//! Gateways configured in YAML: Envoy's route configuration (static, or an
//! `envsubst` template: `address: ${FRONTEND_HOST}`), Kong's declarative
//! configuration (`_format_version`), and Traefik's router labels on compose
//! services, and Kubernetes' routing objects (Ingress, Gateway API `HTTPRoute`,
//! Istio `VirtualService`). Each route forwards a path prefix to a service; the
//! gateway is the service that runs the configuration (the directory holding it,
//! for Envoy and Kong; the compose service running a `traefik` image, for labels;
//! the public host, or the Gateway an object attaches to, for Kubernetes).

use std::collections::HashMap;

use crate::deploy::{ConfigCall, Deployment};
use crate::yaml::Yaml;

/// The images a cluster's routing objects run (`Ingress`, Gateway API, Istio
/// gateways): the gateways at the system's edge, none of them a container the
/// system builds (see [`kubernetes_routes`]).
pub const ROUTING_OBJECT_IMAGES: [&str; 3] = [INGRESS, GATEWAY_API, ISTIO_GATEWAY];
const INGRESS: &str = "ingress";
const GATEWAY_API: &str = "gateway-api";
const ISTIO_GATEWAY: &str = "istio-ingressgateway";

/// Whether a YAML document is an Envoy configuration (its routes and clusters).
pub(crate) fn is_envoy(text: &str) -> bool {
    text.contains("static_resources") || text.contains("virtual_hosts")
}

/// Whether a YAML document is a Kong declarative configuration.
pub(crate) fn is_kong(text: &str) -> bool {
    text.contains("_format_version")
}

/// Envoy's routes: every `routes` entry with a `match` (`prefix` or `path`) and a
/// `route.cluster`, forwarded to the cluster's first endpoint address (with its
/// `prefix_rewrite` as the forwarded path). Placeholders (`${FRONTEND_HOST}`) stay
/// as environment lookups for the gateway's deployment to fill.
pub(crate) fn envoy_routes(docs: &[Yaml]) -> Vec<ConfigCall> {
    let mut clusters: HashMap<String, String> = HashMap::new();
    let mut routes: Vec<(String, String, Option<String>)> = Vec::new();
    for doc in docs {
        walk(doc, 0, &mut |node| {
            // A cluster: `name` and an address under `load_assignment` (v3) or `hosts` (v2).
            if let (Some(name), Some(address)) = (
                node.get("name").and_then(Yaml::scalar),
                node.get("load_assignment")
                    .or_else(|| node.get("hosts"))
                    .and_then(first_socket_address),
            ) {
                clusters.entry(name).or_insert(address);
            }
            for route in node.get("routes").map(Yaml::items).unwrap_or_default() {
                let matched = route.get("match");
                let prefix = matched
                    .and_then(|m| m.get("prefix").or_else(|| m.get("path")))
                    .and_then(Yaml::scalar);
                let action = route.get("route");
                let cluster = action.and_then(|r| r.get("cluster")).and_then(Yaml::scalar);
                if let (Some(prefix), Some(cluster)) = (prefix, cluster) {
                    let rewrite = action
                        .and_then(|r| r.get("prefix_rewrite"))
                        .and_then(Yaml::scalar);
                    routes.push((prefix, cluster, rewrite));
                }
            }
        });
    }
    routes
        .into_iter()
        .filter_map(|(prefix, cluster, rewrite)| {
            let address = clusters.get(&cluster)?;
            Some(ConfigCall {
                url: format!(
                    "http://{}{}",
                    crate::deploy::env_markers(address),
                    rewrite.unwrap_or_default()
                ),
                route: Some(prefix),
                key: "envoy.route".to_string(),
            })
        })
        .collect()
}

/// The gateways Kubernetes routing objects declare, one deployment per gateway
/// and object (deployments of one name are one gateway):
/// - an `Ingress`: per rule, the gateway is its `host` (the name clients call it
///   by), else `ingress`; each path forwards to its backend service and port, the
///   path kept unless an ingress-nginx `rewrite-target` of `/` drops the prefix;
/// - a Gateway API `HTTPRoute`: the Gateway its first `parentRefs` entry names,
///   reached by its `hostnames`; each rule's path matches forward to its first
///   backend, a `URLRewrite` `ReplacePrefixMatch` replacing the prefix;
/// - an Istio `VirtualService` bound to a gateway (`spec.gateways`, not `mesh`):
///   that gateway, reached by its `hosts`; each `uri` `prefix`/`exact` match forwards
///   to its first destination host (cluster suffixes dropped), `rewrite.uri`
///   replacing the prefix.
///
/// Each runs the image its kind names (`ingress`, `gateway-api`,
/// `istio-ingressgateway`), so the gateway is a node of its own.
pub(crate) fn kubernetes_routes(path: &str, docs: &[Yaml]) -> Vec<Deployment> {
    let mut out = Vec::new();
    let text = |v: Option<&Yaml>| v.and_then(Yaml::scalar).filter(|s| !s.is_empty());
    let seq = |v: Option<&Yaml>| v.map(Yaml::items).unwrap_or_default().to_vec();
    for doc in docs {
        let kind = text(doc.get("kind")).unwrap_or_default();
        let spec = doc.get("spec");
        let mut gateways: Vec<RoutedGateway> = Vec::new();
        match kind.as_str() {
            "Ingress" => {
                let annotations = doc.get("metadata").and_then(|m| m.get("annotations"));
                let rewrite = text(
                    annotations.and_then(|a| a.get("nginx.ingress.kubernetes.io/rewrite-target")),
                );
                let drops_prefix = rewrite.as_deref() == Some("/");
                for rule in seq(spec.and_then(|s| s.get("rules"))) {
                    let host = text(rule.get("host")).filter(|h| !h.contains('*'));
                    let mut routes = Vec::new();
                    for p in seq(rule.get("http").and_then(|h| h.get("paths"))) {
                        let prefix = text(p.get("path")).unwrap_or_else(|| "/".to_string());
                        let backend = p.get("backend");
                        // networking.k8s.io/v1, and v1beta1's `serviceName`.
                        let service = backend.and_then(|b| b.get("service"));
                        let name = text(service.and_then(|s| s.get("name")))
                            .or_else(|| text(backend.and_then(|b| b.get("serviceName"))));
                        let port = text(
                            service
                                .and_then(|s| s.get("port"))
                                .and_then(|p| p.get("number")),
                        )
                        .or_else(|| text(backend.and_then(|b| b.get("servicePort"))));
                        let Some(name) = name else { continue };
                        let forward = if drops_prefix { "/" } else { prefix.as_str() };
                        routes.push((prefix.clone(), backend_url(&name, port.as_deref(), forward)));
                    }
                    let gateway = host.clone().unwrap_or_else(|| INGRESS.to_string());
                    gateways.push((gateway, INGRESS, host.into_iter().collect(), routes));
                }
            }
            "HTTPRoute" => {
                let parent = seq(spec.and_then(|s| s.get("parentRefs")))
                    .first()
                    .and_then(|p| text(p.get("name")));
                let Some(gateway) = parent.or_else(|| crate::deploy::metadata_name(doc)) else {
                    continue;
                };
                let hosts = named_hosts(spec.and_then(|s| s.get("hostnames")));
                let mut routes = Vec::new();
                for rule in seq(spec.and_then(|s| s.get("rules"))) {
                    let Some(backend) = seq(rule.get("backendRefs")).first().cloned() else {
                        continue;
                    };
                    let Some(name) = text(backend.get("name")) else {
                        continue;
                    };
                    let port = text(backend.get("port"));
                    let replaced = seq(rule.get("filters")).iter().find_map(|f| {
                        let path = f.get("urlRewrite")?.get("path")?;
                        (text(path.get("type")).as_deref() == Some("ReplacePrefixMatch"))
                            .then(|| text(path.get("replacePrefixMatch")))
                            .flatten()
                    });
                    let prefixes = matched_prefixes(rule.get("matches"), |m| {
                        text(m.get("path").and_then(|p| p.get("value")))
                    });
                    push_routes(&mut routes, prefixes, &name, port, replaced);
                }
                gateways.push((gateway, GATEWAY_API, hosts, routes));
            }
            "VirtualService" => {
                let bound: Vec<String> = seq(spec.and_then(|s| s.get("gateways")))
                    .iter()
                    .filter_map(Yaml::scalar)
                    .map(|g| g.rsplit('/').next().unwrap_or(&g).to_string())
                    .filter(|g| g != "mesh")
                    .collect();
                let Some(gateway) = bound.first().cloned() else {
                    continue;
                };
                let hosts = named_hosts(spec.and_then(|s| s.get("hosts")));
                let mut routes = Vec::new();
                for http in seq(spec.and_then(|s| s.get("http"))) {
                    let destination = seq(http.get("route"))
                        .first()
                        .and_then(|r| r.get("destination").cloned());
                    let Some(name) = text(destination.as_ref().and_then(|d| d.get("host"))) else {
                        continue;
                    };
                    // `cart.shop.svc.cluster.local` is `cart`.
                    let name = name.split('.').next().unwrap_or(&name).to_string();
                    let port = text(
                        destination
                            .as_ref()
                            .and_then(|d| d.get("port"))
                            .and_then(|p| p.get("number")),
                    );
                    let rewrite = text(http.get("rewrite").and_then(|r| r.get("uri")));
                    let prefixes = matched_prefixes(http.get("match"), |m| {
                        let uri = m.get("uri")?;
                        text(uri.get("prefix")).or_else(|| text(uri.get("exact")))
                    });
                    push_routes(&mut routes, prefixes, &name, port, rewrite);
                }
                gateways.push((gateway, ISTIO_GATEWAY, hosts, routes));
            }
            _ => continue,
        }
        for (gateway, image, hosts, routes) in gateways {
            if routes.is_empty() {
                continue;
            }
            let mut calls: Vec<ConfigCall> = routes
                .into_iter()
                .map(|(prefix, url)| ConfigCall {
                    url,
                    route: Some(prefix),
                    key: format!("{kind}.spec"),
                })
                .collect();
            calls.sort();
            calls.dedup();
            out.push(Deployment {
                aliases: hosts.into_iter().filter(|h| *h != gateway).collect(),
                name: gateway,
                file: path.to_string(),
                image: Some(image.to_string()),
                calls,
                ..Deployment::default()
            });
        }
    }
    out
}

/// The host names a list gives, wildcards left out (`*.example.com` names none).
fn named_hosts(list: Option<&Yaml>) -> Vec<String> {
    list.map(Yaml::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Yaml::scalar)
        .filter(|h| !h.contains('*'))
        .collect()
}

/// The path prefixes a rule's matches give (`prefix` reads one match); no matches
/// match everything.
fn matched_prefixes(
    matches: Option<&Yaml>,
    prefix: impl Fn(&Yaml) -> Option<String>,
) -> Vec<String> {
    let matches = matches.map(Yaml::items).unwrap_or_default();
    if matches.is_empty() {
        return vec!["/".to_string()];
    }
    matches.iter().filter_map(prefix).collect()
}

/// Each prefix forwarded to the backend: to `replaced` when a rewrite gives one,
/// else with the path kept.
fn push_routes(
    routes: &mut Vec<(String, String)>,
    prefixes: Vec<String>,
    backend: &str,
    port: Option<String>,
    replaced: Option<String>,
) {
    for prefix in prefixes {
        let forward = replaced.clone().unwrap_or_else(|| prefix.clone());
        routes.push((prefix, backend_url(backend, port.as_deref(), &forward)));
    }
}

/// A gateway a Kubernetes object routes through: its name, the image serving it,
/// the hosts it is reached by, and its routes as (prefix, backend URL).
type RoutedGateway = (String, &'static str, Vec<String>, Vec<(String, String)>);

/// A route's backend as the URL it forwards to: `http://cart:8080/api/cart` keeps
/// the path under `forward` (the matched prefix, or what replaces it).
fn backend_url(service: &str, port: Option<&str>, forward: &str) -> String {
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    format!("http://{service}{port}/{}", forward.trim_start_matches('/'))
}

/// Calls `f` on every mapping of a YAML tree, bounded in depth.
fn walk(node: &Yaml, depth: usize, f: &mut dyn FnMut(&Yaml)) {
    if depth > 40 {
        return;
    }
    match node {
        Yaml::Map(_) => {
            f(node);
            for (_, v) in node.entries() {
                walk(v, depth + 1, f);
            }
        }
        Yaml::Seq(items) => {
            for item in items {
                walk(item, depth + 1, f);
            }
        }
        _ => {}
    }
}

/// The first `socket_address` under a node, as `host:port`.
fn first_socket_address(node: &Yaml) -> Option<String> {
    let mut found = None;
    walk(node, 0, &mut |n| {
        if found.is_some() {
            return;
        }
        if let Some(socket) = n.get("socket_address") {
            let host = socket.get("address").and_then(Yaml::scalar);
            let port = socket.get("port_value").and_then(Yaml::scalar);
            found = host.map(|h| match port {
                Some(p) => format!("{h}:{p}"),
                None => h,
            });
        }
    });
    found
}

/// Kong's declarative routes: each service's `url` (or `protocol`, `host`, `port`,
/// `path`) for the `paths` of its routes, nested or top-level (`service: name`).
pub(crate) fn kong_routes(doc: &Yaml) -> Vec<ConfigCall> {
    let mut urls: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let push = |out: &mut Vec<ConfigCall>, url: &str, route: &Yaml| {
        for path in route.get("paths").map(Yaml::items).unwrap_or_default() {
            if let Some(path) = path.scalar() {
                out.push(ConfigCall {
                    url: url.to_string(),
                    route: Some(path),
                    key: "kong.routes".to_string(),
                });
            }
        }
    };
    for service in doc.get("services").map(Yaml::items).unwrap_or_default() {
        let url = service.get("url").and_then(Yaml::scalar).or_else(|| {
            let host = service.get("host").and_then(Yaml::scalar)?;
            let protocol = service
                .get("protocol")
                .and_then(Yaml::scalar)
                .unwrap_or_else(|| "http".to_string());
            let port = service
                .get("port")
                .and_then(Yaml::scalar)
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            let path = service
                .get("path")
                .and_then(Yaml::scalar)
                .unwrap_or_default();
            Some(format!("{protocol}://{host}{port}{path}"))
        });
        let Some(url) = url else { continue };
        for route in service.get("routes").map(Yaml::items).unwrap_or_default() {
            push(&mut out, &url, route);
        }
        if let Some(name) = service.get("name").and_then(Yaml::scalar) {
            urls.insert(name, url);
        }
    }
    for route in doc.get("routes").map(Yaml::items).unwrap_or_default() {
        let service = route
            .get("service")
            .and_then(|s| s.scalar().or_else(|| s.get("name")?.scalar()));
        if let Some(url) = service.and_then(|s| urls.get(&s)) {
            push(&mut out, &url.clone(), route);
        }
    }
    out
}

/// Traefik's routers on a compose service's labels
/// (`traefik.http.routers.cart.rule=PathPrefix(`/api/cart`)`, with the port from
/// `traefik.http.services.*.loadbalancer.server.port`): calls of the Traefik
/// gateway to that service.
pub(crate) fn traefik_routes(service: &str, labels: &[(String, String)]) -> Vec<ConfigCall> {
    let port = labels
        .iter()
        .find(|(k, _)| {
            k.starts_with("traefik.http.services.") && k.ends_with(".loadbalancer.server.port")
        })
        .map(|(_, v)| format!(":{v}"))
        .unwrap_or_default();
    let mut out = Vec::new();
    for (key, rule) in labels {
        if !(key.starts_with("traefik.http.routers.") && key.ends_with(".rule")) {
            continue;
        }
        // `PathPrefix(`/api`)`, `Path(`/x`)`, also inside `Host(..) && PathPrefix(..)`.
        for (matcher, suffix) in [("PathPrefix(", "/**"), ("Path(", "")] {
            let mut rest = rule.as_str();
            while let Some(at) = rest.find(matcher) {
                // `PathPrefix(` also contains `Path(`: only whole matcher names.
                let whole = at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric());
                rest = &rest[at + matcher.len()..];
                let Some(path) = rest
                    .trim_start()
                    .strip_prefix(['`', '"', '\''])
                    .and_then(|r| r.split(['`', '"', '\'']).next())
                else {
                    continue;
                };
                if whole && path.starts_with('/') {
                    out.push(ConfigCall {
                        url: format!("http://{service}{port}"),
                        route: Some(format!("{}{suffix}", path.trim_end_matches('/'))),
                        key: key.clone(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envoy_routes_forward_to_their_clusters_addresses() {
        let text = r#"
static_resources:
  listeners:
    - address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                route_config:
                  virtual_hosts:
                    - name: backend
                      domains: ["*"]
                      routes:
                        - match: { prefix: "/api" }
                          route: { cluster: frontend }
                        - match: { path: "/feature" }
                          route: { cluster: flags, prefix_rewrite: "/" }
                        - match: { prefix: "/missing" }
                          route: { cluster: nowhere }
  clusters:
    - name: frontend
      type: STRICT_DNS
      load_assignment:
        cluster_name: frontend
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: "${FRONTEND_HOST}", port_value: "${FRONTEND_PORT}" }
    - name: flags
      hosts: [{ socket_address: { address: flagd-ui, port_value: 4000 } }]
"#;
        let (docs, errors) = crate::yaml::documents(text);
        assert!(errors.is_empty(), "{errors:?}");
        let routes: Vec<(String, Option<String>)> = envoy_routes(&docs)
            .into_iter()
            .map(|c| (c.url, c.route))
            .collect();
        assert_eq!(
            routes,
            [
                (
                    "http://{env:FRONTEND_HOST}:{env:FRONTEND_PORT}".to_string(),
                    Some("/api".to_string())
                ),
                (
                    "http://flagd-ui:4000/".to_string(),
                    Some("/feature".to_string())
                ),
            ]
        );
    }

    #[test]
    fn kong_and_traefik_routes() {
        let kong = "_format_version: \"3.0\"\nservices:\n  - name: cart\n    url: http://cart:8080\n    routes:\n      - paths: [/api/cart]\n  - name: users\n    host: users\n    port: 9000\nroutes:\n  - service: users\n    paths: [/api/users]\n";
        let (doc, errors) = crate::yaml::single(kong);
        assert!(errors.is_empty());
        let routes: Vec<(String, Option<String>)> = kong_routes(&doc.unwrap())
            .into_iter()
            .map(|c| (c.url, c.route))
            .collect();
        assert_eq!(
            routes,
            [
                (
                    "http://cart:8080".to_string(),
                    Some("/api/cart".to_string())
                ),
                (
                    "http://users:9000".to_string(),
                    Some("/api/users".to_string())
                ),
            ]
        );
        let labels = [
            ("traefik.enable".to_string(), "true".to_string()),
            (
                "traefik.http.routers.orders.rule".to_string(),
                "Host(`shop.local`) && PathPrefix(`/api/orders`)".to_string(),
            ),
            (
                "traefik.http.services.orders.loadbalancer.server.port".to_string(),
                "8081".to_string(),
            ),
        ];
        let routes: Vec<(String, Option<String>)> = traefik_routes("orders", &labels)
            .into_iter()
            .map(|c| (c.url, c.route))
            .collect();
        assert_eq!(
            routes,
            [(
                "http://orders:8081".to_string(),
                Some("/api/orders/**".to_string())
            )]
        );
    }
}
