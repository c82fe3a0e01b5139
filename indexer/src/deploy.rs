//! Deployment files: docker-compose services and Kubernetes Deployments, with the
//! environment their containers get. The addresses services reach each other at
//! usually live there (`CART_URL=http://cartservice:8080`), not in the code.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

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
}

/// Whether a file may declare deployments (checked by content when parsed).
pub fn is_deployment_file(name: &str) -> bool {
    name == ".env" || name == "cartograph.toml" || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The deployments declared by the files given as (workspace path, text). `.env`
/// files give the values compose files interpolate.
pub fn parse_deployments(files: &[(String, String)]) -> Vec<Deployment> {
    let mut dotenv: HashMap<String, String> = HashMap::new();
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".env")) {
        let _ = path;
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
    // Helm charts: the chart's name, by directory, for the values files beside it.
    let mut charts: HashMap<&str, String> = HashMap::new();
    for (path, text) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        if name == "Chart.yaml" {
            if let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) {
                if let Some(n) = doc.get("name").and_then(scalar) {
                    charts.insert(dir, n);
                }
            }
        }
    }
    // Kubernetes ConfigMaps and Secrets, by name, for the containers that read them.
    let mut config: ConfigData = HashMap::new();
    for (_, text) in files.iter().filter(|(p, _)| !p.ends_with(".env")) {
        if text.contains("ConfigMap") || text.contains("Secret") {
            config_data(text, &mut config);
        }
    }
    let mut out = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| !p.ends_with(".env")) {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let compose = name.starts_with("docker-compose") || name.starts_with("compose");
        if name == "cartograph.toml" {
            out.extend(aliases(path, text));
        } else if compose {
            out.extend(compose_services(path, text, &dotenv));
        } else if name.starts_with("values") && charts.contains_key(dir) {
            out.extend(helm_values(path, text, &charts[dir]));
        } else if text.contains("kind:") && text.contains("containers") {
            out.extend(kubernetes_deployments(path, text, &config));
        }
    }
    out.sort_by(|a, b| (&a.name, &a.file).cmp(&(&b.name, &b.file)));
    out
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

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The directory of `file` joined with a relative `path`, normalised.
fn join(file: &str, path: &str) -> String {
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
fn aliases(path: &str, text: &str) -> Vec<Deployment> {
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
    let Ok(file) = toml::from_str::<File>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in file.service {
        let build = join(path, &entry.path);
        for alias in entry.aliases {
            out.push(Deployment {
                name: alias,
                file: path.to_string(),
                build: Some(build.clone()),
                env: BTreeMap::new(),
            });
        }
    }
    out
}

/// A Helm chart's values file: the chart deploys a service of its name, with the
/// environment its `env` gives (a map, or a list of `name`/`value` pairs), at the
/// top level or under one key (`app.env`).
fn helm_values(path: &str, text: &str, chart: &str) -> Vec<Deployment> {
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Vec::new();
    };
    let mut env = BTreeMap::new();
    let mut read = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                    env.insert(k, v);
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                if let (Some(k), Some(v)) = (
                    item.get("name").and_then(scalar),
                    item.get("value").and_then(scalar),
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
    if let Some(m) = doc.as_mapping() {
        for (_, v) in m {
            if let Some(e) = v.get("env") {
                read(e);
            }
        }
    }
    vec![Deployment {
        name: chart.to_string(),
        file: path.to_string(),
        build: None,
        env,
    }]
}

fn compose_services(path: &str, text: &str, dotenv: &HashMap<String, String>) -> Vec<Deployment> {
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Vec::new();
    };
    let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, svc) in services {
        let Some(name) = scalar(name) else { continue };
        let build = match svc.get("build") {
            Some(serde_yaml::Value::String(ctx)) => Some(join(path, ctx)),
            Some(b) => b.get("context").and_then(scalar).map(|c| join(path, &c)),
            None => None,
        };
        let mut env = BTreeMap::new();
        match svc.get("environment") {
            Some(serde_yaml::Value::Mapping(m)) => {
                for (k, v) in m {
                    if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                        env.insert(k, interpolate(&v, dotenv));
                    }
                }
            }
            Some(serde_yaml::Value::Sequence(items)) => {
                for item in items.iter().filter_map(scalar) {
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
        });
    }
    out
}

/// A Kubernetes object's `metadata.name`.
fn metadata_name(doc: &serde_yaml::Value) -> Option<String> {
    doc.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(scalar)
}

/// Key-value data of ConfigMaps (`data`) and Secrets (`stringData`; base64 `data` is
/// decoded), by the object's name.
type ConfigData = HashMap<String, BTreeMap<String, String>>;

fn config_data(text: &str, out: &mut ConfigData) {
    for doc in serde_yaml::Deserializer::from_str(text) {
        let Ok(doc) = serde_yaml::Value::deserialize(doc) else {
            continue;
        };
        let kind = doc.get("kind").and_then(scalar).unwrap_or_default();
        let Some(name) = metadata_name(&doc) else {
            continue;
        };
        let fields: &[(&str, bool)] = match kind.as_str() {
            "ConfigMap" => &[("data", false)],
            "Secret" => &[("data", true), ("stringData", false)],
            _ => continue,
        };
        let entry = out.entry(name).or_default();
        for (field, encoded) in fields {
            let Some(map) = doc.get(*field).and_then(|d| d.as_mapping()) else {
                continue;
            };
            for (k, v) in map {
                let (Some(k), Some(v)) = (scalar(k), scalar(v)) else {
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

fn kubernetes_deployments(path: &str, text: &str, config: &ConfigData) -> Vec<Deployment> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let Ok(doc) = serde_yaml::Value::deserialize(doc) else {
            continue;
        };
        let kind = doc.get("kind").and_then(scalar).unwrap_or_default();
        if !matches!(kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") {
            continue;
        }
        let Some(name) = metadata_name(&doc) else {
            continue;
        };
        let containers = doc
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .and_then(|c| c.as_sequence())
            .cloned()
            .unwrap_or_default();
        let mut env = BTreeMap::new();
        let seq = |v: &serde_yaml::Value, key: &str| -> Vec<serde_yaml::Value> {
            v.get(key)
                .and_then(|e| e.as_sequence())
                .cloned()
                .unwrap_or_default()
        };
        let name_of =
            |v: Option<&serde_yaml::Value>| v.and_then(|r| r.get("name")).and_then(scalar);
        for c in &containers {
            // `envFrom` first: `env` overrides it.
            for from in seq(c, "envFrom") {
                let source =
                    name_of(from.get("configMapRef")).or_else(|| name_of(from.get("secretRef")));
                let prefix = from.get("prefix").and_then(scalar).unwrap_or_default();
                for (k, v) in source.and_then(|n| config.get(&n)).into_iter().flatten() {
                    env.insert(format!("{prefix}{k}"), v.clone());
                }
            }
            for e in seq(c, "env") {
                let Some(k) = e.get("name").and_then(scalar) else {
                    continue;
                };
                let value = e.get("value").and_then(scalar).or_else(|| {
                    let from = e.get("valueFrom")?;
                    let r = from
                        .get("configMapKeyRef")
                        .or_else(|| from.get("secretKeyRef"))?;
                    let key = r.get("key").and_then(scalar)?;
                    config.get(&name_of(Some(r))?)?.get(&key).cloned()
                });
                if let Some(v) = value {
                    env.insert(k, v);
                }
            }
        }
        expand_dependent(&mut env);
        out.push(Deployment {
            name,
            file: path.to_string(),
            build: None,
            env,
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
        let found = parse_deployments(&[("k8s/app.yaml".to_string(), k8s.to_string())]);
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
        ]);
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
}
