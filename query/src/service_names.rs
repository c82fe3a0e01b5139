//! The names services are shown under in service-level answers.
//!
//! A service's code name comes from its manifest (or folder) and is part of its
//! symbols' IDs, so it never changes with deployment files. Service-level answers
//! (`services`, `links`, `endpoints`, impact's services) show the name the service
//! is deployed under instead, when one exists: that is the name other services
//! address it by and the one people know. Either name finds it.

use std::collections::BTreeMap;

use cartograph_graph::FileRecord;
use cartograph_indexer::{Deployment, Service};

use crate::graph_view::DeployedServices;
use crate::model::ServiceInfo;

/// The services of an index by shown name, and the shown name of each code name.
#[derive(Debug, Default)]
pub(crate) struct ServiceNames {
    /// Services by shown name.
    pub(crate) services: BTreeMap<String, ServiceInfo>,
    /// Code name → shown name, where they differ.
    renamed: BTreeMap<String, String>,
}

impl ServiceNames {
    /// The services of `files`, named after the `deployments` that run them (see
    /// [`DeployedServices`]): a deployment built from the service's directory first,
    /// else one of the same name (as hosts compare: case, `-`, `_` and `.` ignored);
    /// the first by name when several qualify. A deployment name two services would
    /// share, or that another service has as its own, is not used. A `detected`
    /// service with a manifest but no indexed file (a directory holding a
    /// `Dockerfile` and configuration: a gateway, a database image) is a service too,
    /// with no language, unless a service with code holds its directory and its image
    /// is no third-party infrastructure (`carts/docker/carts` packages `carts`;
    /// `user/docker/user-db`, `FROM mongo`, is a datastore).
    pub(crate) fn new(
        files: &[FileRecord],
        detected: &[Service],
        deployments: &[Deployment],
    ) -> ServiceNames {
        let mut by_code: BTreeMap<String, ServiceInfo> = BTreeMap::new();
        for f in files {
            let s = by_code
                .entry(f.service.clone())
                .or_insert_with(|| ServiceInfo {
                    name: f.service.clone(),
                    code_name: f.service.clone(),
                    path: f.service_path.clone(),
                    languages: Vec::new(),
                    deployed_as: Vec::new(),
                    kind: None,
                });
            let lang = f.language.name().to_string();
            if !s.languages.contains(&lang) {
                s.languages.push(lang);
                s.languages.sort();
            }
        }
        // Not one inside a service with code: that is the image build directory of
        // the service around it (`carts/docker/carts`).
        let coded: Vec<String> = by_code
            .values()
            .filter(|s| !s.path.is_empty())
            .map(|s| format!("{}/", s.path))
            .collect();
        let infrastructure_image = |dir: &str| {
            deployments.iter().any(|d| {
                d.file.strip_suffix("Dockerfile") == Some(&format!("{dir}/"))
                    && d.image
                        .as_deref()
                        .and_then(crate::infrastructure_of)
                        .is_some()
            })
        };
        for s in detected {
            let nested = coded.iter().any(|dir| s.path.starts_with(dir.as_str()))
                && !infrastructure_image(&s.path);
            if s.manifest.is_some() && !nested && !by_code.contains_key(&s.name) {
                by_code.insert(
                    s.name.clone(),
                    ServiceInfo {
                        name: s.name.clone(),
                        code_name: s.name.clone(),
                        path: s.path.clone(),
                        languages: Vec::new(),
                        deployed_as: Vec::new(),
                        kind: None,
                    },
                );
            }
        }
        // Per service: (built from its directory?, deployment name).
        let deployed = DeployedServices::new(
            by_code
                .values()
                .map(|s| (s.code_name.as_str(), s.path.as_str())),
            deployments,
        );
        let mut found: BTreeMap<String, Vec<(bool, String)>> = BTreeMap::new();
        for (d, runs) in deployments.iter().zip(deployed.runs) {
            // An image's description or a project's configuration names no
            // deployment (its folder's name is no name the team gave it).
            if !d.names_the_service() {
                continue;
            }
            if let Some((code, built)) = runs {
                found.entry(code).or_default().push((built, d.name.clone()));
            }
        }
        let mut chosen: BTreeMap<String, String> = BTreeMap::new();
        for (code, mut names) in found {
            // Built from its directory first, then a name its folder's ends with
            // (`webui` for `tools.shop.webui`, over `shop-webui`), then by name.
            let folder = by_code
                .get(&code)
                .map_or("", |s| s.path.rsplit('/').next().unwrap_or(&s.path));
            let folder = folder.to_ascii_lowercase();
            let folder_named = |n: &str| {
                folder
                    .strip_suffix(&n.to_ascii_lowercase())
                    .is_some_and(|rest| {
                        rest.is_empty() || rest.ends_with(|c: char| c.is_ascii_punctuation())
                    })
            };
            names.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| folder_named(&b.1).cmp(&folder_named(&a.1)))
                    .then_with(|| a.1.cmp(&b.1))
            });
            if let Some(s) = by_code.get_mut(&code) {
                let mut deployed: Vec<String> = names.iter().map(|(_, n)| n.clone()).collect();
                deployed.sort();
                deployed.dedup();
                s.deployed_as = deployed;
            }
            if let Some((_, name)) = names.into_iter().next() {
                chosen.insert(code, name);
            }
        }
        let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
        for code in by_code.keys() {
            *uses
                .entry(chosen.get(code).map_or(code.as_str(), String::as_str))
                .or_default() += 1;
        }
        let renamed: BTreeMap<String, String> = chosen
            .iter()
            .filter(|(code, shown)| {
                code != shown
                    && uses.get(shown.as_str()) == Some(&1)
                    && !by_code.contains_key(shown.as_str())
            })
            .map(|(c, s)| (c.clone(), s.clone()))
            .collect();
        let services = by_code
            .into_values()
            .map(|mut s| {
                if let Some(shown) = renamed.get(&s.code_name) {
                    s.name = shown.clone();
                }
                (s.name.clone(), s)
            })
            .collect();
        ServiceNames { services, renamed }
    }

    /// The shown name of the service whose code name is `code`.
    /// Whether the service of this code name is a library: code that no deployment
    /// runs while others are deployed (a shared client module), whose calls are made
    /// on behalf of the services built with it.
    pub(crate) fn is_library(&self, code: &str) -> bool {
        self.services.values().any(|s| !s.deployed_as.is_empty())
            && self
                .services
                .get(self.shown(code))
                .is_some_and(|s| s.deployed_as.is_empty() && !s.languages.is_empty())
    }

    pub(crate) fn shown<'a>(&'a self, code: &'a str) -> &'a str {
        self.renamed.get(code).map_or(code, String::as_str)
    }

    /// The service shown as, named (in code) or deployed as `name`: the shown name
    /// first, then the code name, then a deployment name if only one service has it.
    pub(crate) fn find(&self, name: &str) -> Option<&ServiceInfo> {
        if let Some(s) = self.services.get(name) {
            return Some(s);
        }
        if let Some(s) = self.services.values().find(|s| s.code_name == name) {
            return Some(s);
        }
        let mut deployed = self
            .services
            .values()
            .filter(|s| s.deployed_as.iter().any(|d| d == name));
        match (deployed.next(), deployed.next()) {
            (Some(s), None) => Some(s),
            _ => None,
        }
    }
}
