//! Images built by scripts: `docker build -t shop/cart-db ../db/` in a build script,
//! a Makefile or a CI workflow says which directory an image is built from, so a
//! deployment that only names the image (`image: shop/cart-db`) runs the code (or
//! the database) in that directory.

use std::collections::{BTreeMap, HashSet};

use crate::deploy::{image_name, join};

/// Whether a file is a Dockerfile (`Dockerfile`, `Dockerfile.prod`, `web.Dockerfile`).
pub fn is_dockerfile(name: &str) -> bool {
    name.starts_with("Dockerfile") || name.ends_with(".Dockerfile") || name.ends_with(".dockerfile")
}

/// A shell script or Makefile that may build images.
pub fn is_build_script(name: &str) -> bool {
    name.ends_with(".sh")
        || name.ends_with(".mk")
        || matches!(name, "Makefile" | "makefile" | "GNUmakefile")
}

/// Options of `docker build` (and `buildx build`, `podman build`) that take a value.
const VALUED: &[&str] = &[
    "-t",
    "--tag",
    "-f",
    "--file",
    "--platform",
    "--build-arg",
    "--build-context",
    "--target",
    "--label",
    "--cache-from",
    "--cache-to",
    "--network",
    "-o",
    "--output",
    "--secret",
    "--ssh",
    "--progress",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--add-host",
    "--shm-size",
    "--ulimit",
    "-m",
    "--memory",
    "--memory-swap",
    "--cpu-shares",
    "--cpuset-cpus",
    "--cgroup-parent",
    "--isolation",
    "--attest",
    "--sbom",
    "--provenance",
    "--annotation",
    "--allow",
];

/// One image build a command line makes: the image names it tags and the directory
/// of its Dockerfile (`-f`'s, else the context's), as written.
#[derive(Debug, PartialEq, Eq)]
struct Build {
    images: Vec<String>,
    dockerfile: Option<String>,
    context: String,
}

/// The image builds in a script's text, line continuations joined.
fn builds(text: &str) -> Vec<Build> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let words = crate::deploy::split_words(line);
        let mut i = 0;
        while i < words.len() {
            let starts = match (
                words[i].as_str(),
                words.get(i + 1).map(String::as_str),
                words.get(i + 2).map(String::as_str),
            ) {
                ("docker" | "podman", Some("build"), _) => Some(i + 2),
                ("docker", Some("buildx" | "image"), Some("build")) => Some(i + 3),
                _ => None,
            };
            let Some(start) = starts else {
                i += 1;
                continue;
            };
            let (build, end) = build_arguments(&words[start..]);
            out.extend(build);
            i = start + end;
        }
    }
    out
}

/// Reads `docker build`'s arguments up to the end of its command: the build, if it
/// names an image and a context, and how many words it took.
fn build_arguments(words: &[String]) -> (Option<Build>, usize) {
    let mut images = Vec::new();
    let mut dockerfile = None;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        if matches!(word, "&&" | "||" | ";" | "|" | ">" | ")" | "&") || word.ends_with(';') {
            if let Some(w) = word.strip_suffix(';').filter(|w| !w.is_empty()) {
                positional.push(w.to_string());
            }
            i += 1;
            break;
        }
        let (option, inline) = match word.split_once('=') {
            Some((o, v)) if o.starts_with('-') => (o, Some(v.to_string())),
            _ => (word, None),
        };
        if VALUED.contains(&option) {
            let value = match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    words.get(i).cloned()
                }
            };
            match (option, value) {
                ("-t" | "--tag", Some(v)) => images.push(v),
                ("-f" | "--file", Some(v)) => dockerfile = Some(v),
                _ => {}
            }
        } else if let Some(tag) = word.strip_prefix("-t").filter(|t| !t.is_empty()) {
            images.push(tag.to_string());
        } else if !word.starts_with('-') {
            positional.push(word.to_string());
        }
        i += 1;
    }
    let build = match positional.as_slice() {
        [context] if !images.is_empty() => Some(Build {
            images,
            dockerfile,
            context: context.clone(),
        }),
        _ => None,
    };
    (build, i)
}

/// The name an image tag gives, its variables dropped (`${REGISTRY}shop-db:${TAG}`
/// is `shop-db`); `None` when a variable stands for the name itself.
fn tagged_name(tag: &str) -> Option<String> {
    let mut plain = String::new();
    let mut rest = tag;
    while let Some(at) = rest.find('$') {
        plain.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        rest = match after.strip_prefix('{') {
            Some(inner) => inner.find('}').map_or("", |end| &inner[end + 1..]),
            None => after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        };
    }
    plain.push_str(rest);
    // A variable before the colon of a tag (`shop:${TAG}`) leaves `shop:`.
    let name = image_name(&plain);
    (!name.is_empty()
        && !plain.ends_with('/')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric()))
    .then_some(name)
}

/// The directories images are built from, by image name (see [`image_name`]): every
/// `docker build` of `scripts` (workspace path, text) whose Dockerfile is among
/// `dockerfiles` (workspace paths). A relative context is the script's directory's,
/// else the nearest directory above it where the Dockerfile is (a script run from
/// the repository's root). An image two scripts build from different directories is
/// left out.
pub(crate) fn built_images<'a>(
    scripts: impl Iterator<Item = (&'a str, &'a str)>,
    dockerfiles: &HashSet<&str>,
) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (path, text) in scripts {
        for build in builds(text) {
            let Some(dir) = build_dir(path, &build, dockerfiles) else {
                continue;
            };
            for name in build.images.iter().filter_map(|t| tagged_name(t)) {
                let entry = found.entry(name).or_insert_with(|| Some(dir.clone()));
                if entry.as_deref() != Some(dir.as_str()) {
                    *entry = None;
                }
            }
        }
    }
    found
        .into_iter()
        .filter_map(|(name, dir)| Some((name, dir?)))
        .collect()
}

/// The directory of the Dockerfile a build uses, resolved from the script at `path`
/// (see [`built_images`]).
fn build_dir(path: &str, build: &Build, dockerfiles: &HashSet<&str>) -> Option<String> {
    let relative = |p: &str| !p.contains('$') && !p.starts_with('/') && !p.contains("://");
    if !relative(&build.context) || build.dockerfile.as_deref().is_some_and(|f| !relative(f)) {
        return None;
    }
    // The script's directory, then each above it, as the place it runs from.
    let mut base = path.to_string();
    loop {
        let dockerfile = match &build.dockerfile {
            Some(f) => join(&base, f),
            None => match join(&base, &build.context) {
                context if context.is_empty() => "Dockerfile".to_string(),
                context => format!("{context}/Dockerfile"),
            },
        };
        if dockerfiles.contains(dockerfile.as_str()) {
            return Some(
                dockerfile
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_string()),
            );
        }
        let (dir, _) = base.rsplit_once('/')?;
        base = dir.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(scripts: &[(&str, &str)], dockerfiles: &[&str]) -> Vec<(String, String)> {
        let dockerfiles: HashSet<&str> = dockerfiles.iter().copied().collect();
        built_images(scripts.iter().copied(), &dockerfiles)
            .into_iter()
            .collect()
    }

    #[test]
    fn a_script_names_the_directory_each_image_is_built_from() {
        let script = "#!/bin/sh\nset -e\nregistry='acme/'\n\
            docker buildx build --platform ${PLATFORMS} -t \"${registry}shop-db\" ../infra/db/ --push\n\
            docker build --build-arg V=1 \\\n    -t ${registry}shop-cart:${TAG} ../services/cart && echo done\n\
            docker build -t shop-web -f web/Dockerfile.prod .\n\
            docker build -t \"$IMAGE\" ../services/cart\n\
            echo docker build is not run here\n";
        assert_eq!(
            images(
                &[("tools/build.sh", script)],
                &[
                    "infra/db/Dockerfile",
                    "services/cart/Dockerfile",
                    "web/Dockerfile.prod",
                    "tools/web/Dockerfile.prod"
                ]
            ),
            [
                ("shop-cart".to_string(), "services/cart".to_string()),
                ("shop-db".to_string(), "infra/db".to_string()),
                // `-f` relative to where the script runs: its own directory first.
                ("shop-web".to_string(), "tools/web".to_string()),
            ]
        );
    }

    #[test]
    fn a_makefile_at_the_root_builds_from_its_context_and_conflicts_are_dropped() {
        let makefile = "build:\n\tdocker build -t shop/orders:latest orders\n\tpodman build --tag=shop/pay pay\n";
        let other = "docker build -t shop/pay payments\n";
        assert_eq!(
            images(
                &[("Makefile", makefile), ("ci/build.sh", other)],
                &["orders/Dockerfile", "pay/Dockerfile", "payments/Dockerfile"]
            ),
            [("orders".to_string(), "orders".to_string())]
        );
        // A context whose Dockerfile the workspace does not hold builds nothing known.
        assert!(images(&[("Makefile", "docker build -t x ./missing\n")], &[]).is_empty());
    }

    #[test]
    fn tags_lose_their_variables() {
        assert_eq!(
            tagged_name("${REGISTRY}shop-db").as_deref(),
            Some("shop-db")
        );
        assert_eq!(
            tagged_name("$REPO/shop-db:$TAG").as_deref(),
            Some("shop-db")
        );
        assert_eq!(tagged_name("acme/${NAME}:1.0"), None);
        assert_eq!(tagged_name("${REPO}-db"), None);
        assert_eq!(tagged_name("$IMAGE"), None);
    }
}
