//! The Argo CD Config Management Plugin in `integrations/argocd`: its
//! `plugin.yaml` is read with strata's YAML reader, its `generate` command
//! is run as Argo CD's cmp-server runs it (in the application's path, with
//! only Argo CD's environment) and must print what `strata build` prints,
//! and the sidecar component must build, with strata and with kubectl.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn plugin() -> Value {
    let path = repo_root().join("integrations/argocd/plugin.yaml");
    let text = std::fs::read_to_string(&path).expect("plugin.yaml");
    strata::yaml::parse_config(&text, &path).expect("plugin.yaml is YAML strata reads")
}

/// `spec.generate` as the program and its arguments.
fn generate_command(plugin: &Value) -> Vec<String> {
    let generate = &plugin["spec"]["generate"];
    let mut words: Vec<String> = generate["command"]
        .as_array()
        .expect("generate.command is a list")
        .iter()
        .map(|w| w.as_str().expect("a string").to_string())
        .collect();
    if let Some(args) = generate["args"].as_array() {
        words.extend(
            args.iter()
                .map(|w| w.as_str().expect("a string").to_string()),
        );
    }
    words
}

/// What Argo CD's cmp-server puts in the environment of `generate` (and
/// nothing else: no HOME, no user settings), with the test binary's
/// directory first on PATH as the sidecar image has strata on it.
fn argocd_env(app_path: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let strata_dir = Path::new(env!("CARGO_BIN_EXE_strata"))
        .parent()
        .expect("bin dir")
        .display()
        .to_string();
    let mut env: Vec<(String, String)> = [
        ("PATH", format!("{strata_dir}:/usr/local/bin:/usr/bin:/bin")),
        ("ARGOCD_APP_NAME", "shop-production".into()),
        ("ARGOCD_APP_NAMESPACE", "shop-prod".into()),
        ("ARGOCD_APP_PROJECT_NAME", "default".into()),
        (
            "ARGOCD_APP_REVISION",
            "4f0e6c1d2b3a49587766554433221100ffeeddcc".into(),
        ),
        ("ARGOCD_APP_REVISION_SHORT", "4f0e6c1".into()),
        ("ARGOCD_APP_SOURCE_PATH", app_path.into()),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://git.example.com/shop/deploy.git".into(),
        ),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "HEAD".into()),
        ("KUBE_VERSION", "1.31.2".into()),
        ("KUBE_API_VERSIONS", "v1,apps/v1,batch/v1".into()),
        ("ARGOCD_APP_PARAMETERS", "[]".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (name, value) in extra {
        env.retain(|(k, _)| k != name);
        env.push((name.to_string(), value.to_string()));
    }
    env
}

/// Runs the plugin's `generate` in `dir`, as Argo CD does.
fn generate(dir: &Path, env: &[(String, String)]) -> Output {
    let words = generate_command(&plugin());
    Command::new(&words[0])
        .args(&words[1..])
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("the generate command runs")
}

fn strata_build(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("build")
        .args(args)
        .output()
        .expect("strata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn success(output: &Output) -> String {
    assert!(
        output.status.success(),
        "generate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "nothing on stderr"
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

#[test]
fn plugin_yaml_is_a_cmp_v2_plugin() {
    let plugin = plugin();
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert_eq!(plugin["metadata"]["name"], "strata");
    let spec = plugin["spec"].as_object().expect("spec");
    // Only fields Argo CD's ConfigManagementPlugin spec has.
    let known = [
        "version",
        "init",
        "generate",
        "discover",
        "parameters",
        "preserveFileMode",
        "provideGitCreds",
    ];
    for key in spec.keys() {
        assert!(known.contains(&key.as_str()), "unknown spec field {key}");
    }
    assert_eq!(
        generate_command(&plugin)[..3],
        ["strata", "argocd", "generate"]
    );
    for parameter in plugin["spec"]["parameters"]["static"]
        .as_array()
        .expect("static parameters")
    {
        let name = parameter["name"].as_str().expect("a name");
        let kind = parameter["collectionType"].as_str().unwrap_or("string");
        assert!(["string", "array", "map"].contains(&kind), "{name}: {kind}");
        assert!(parameter["title"].is_string(), "{name} has a title");
    }
}

/// The marker discovery looks for, matched as Argo CD does (a glob in the
/// application's path).
#[test]
fn discovery_matches_an_application_with_the_marker_only() {
    let pattern = plugin()["spec"]["discover"]["fileName"]
        .as_str()
        .expect("discover.fileName")
        .to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("kustomization.yaml"), "resources: []\n").expect("write");
    let matches = |dir: &Path| {
        let glob = dir.join(&pattern).display().to_string();
        glob::glob(&glob).expect("a glob").flatten().count() > 0
    };
    assert!(!matches(dir.path()), "a plain kustomization is not claimed");
    std::fs::write(dir.path().join(".strata"), "").expect("write marker");
    assert!(matches(dir.path()));
}

/// The production overlay uses presets and jsonnet, which kustomize cannot
/// build: through the plugin it comes out as `strata build` prints it.
#[test]
fn generate_prints_what_strata_build_prints() {
    let app = repo_root().join("overlays/production");
    let expected = strata_build(&[app.to_str().expect("UTF-8 path")]);
    assert!(expected.contains("kind: Deployment"));
    let output = generate(&app, &argocd_env("overlays/production", &[]));
    assert_eq!(success(&output), expected);
}

/// Every parameter the UI announces, set to its announced default, leaves
/// the output as it is without parameters: the announcements tell the truth
/// and every announced name is accepted.
#[test]
fn announced_defaults_are_the_real_defaults() {
    let announced: Vec<Value> = plugin()["spec"]["parameters"]["static"]
        .as_array()
        .expect("static parameters")
        .iter()
        .map(|p| {
            let name = p["name"].clone();
            match p["collectionType"].as_str() {
                Some("map") => {
                    json!({"name": name, "map": p.get("map").cloned().unwrap_or(json!({}))})
                }
                Some("array") => {
                    json!({"name": name, "array": p.get("array").cloned().unwrap_or(json!([]))})
                }
                _ => match p.get("string") {
                    Some(value) => json!({"name": name, "string": value}),
                    None => Value::Null,
                },
            }
        })
        .filter(|p| !p.is_null())
        .collect();
    assert!(announced.len() >= 6, "{announced:?}");
    let parameters = serde_json::to_string(&announced).expect("JSON");
    let app = repo_root().join("overlays/dev");
    let env = argocd_env("overlays/dev", &[("ARGOCD_APP_PARAMETERS", &parameters)]);
    let expected = strata_build(&[app.to_str().expect("UTF-8 path")]);
    assert_eq!(success(&generate(&app, &env)), expected);
}

/// A jsonnet application: plugin env entries (ARGOCD_ENV_*) and `ext-str`
/// / `tla-str` parameters reach the program as `--ext-str` / `--tla-str`.
#[test]
fn parameters_and_env_reach_jsonnet_as_argocd_passes_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path();
    std::fs::write(
        app.join("kustomization.yaml"),
        "resources:\n- main.jsonnet\n",
    )
    .expect("write");
    std::fs::write(
        app.join("main.jsonnet"),
        "function(replicas='1') {\n  apiVersion: 'v1',\n  kind: 'ConfigMap',\n  metadata: { name: 'settings' },\n  data: { cluster: std.extVar('CLUSTER'), team: std.extVar('team'), replicas: replicas },\n}\n",
    )
    .expect("write");
    std::fs::write(app.join(".strata"), "").expect("marker");
    let parameters =
        r#"[{"name":"ext-str","map":{"team":"shop"}},{"name":"tla-str","map":{"replicas":"3"}}]"#;
    let env = argocd_env(
        ".",
        &[
            ("ARGOCD_ENV_CLUSTER", "eu-1"),
            ("ARGOCD_APP_PARAMETERS", parameters),
            // Argo CD sets these too; strata reads the JSON, which keeps case.
            ("PARAM_EXT_STR_TEAM", "shop"),
            ("PARAM_TLA_STR_REPLICAS", "3"),
        ],
    );
    let printed = success(&generate(app, &env));
    let expected = strata_build(&[
        app.to_str().expect("UTF-8 path"),
        "--ext-str",
        "CLUSTER=eu-1",
        "--ext-str",
        "team=shop",
        "--tla-str",
        "replicas=3",
    ]);
    assert_eq!(printed, expected);
    assert!(
        printed.contains("cluster: eu-1\n  replicas: \"3\"\n  team: shop\n"),
        "{printed}"
    );
}

/// What an Application may not choose is refused on stderr, with nothing on
/// stdout for Argo CD to apply.
#[test]
fn unsafe_parameters_fail_generation() {
    let app = repo_root().join("overlays/dev");
    for parameters in [
        r#"[{"name":"helm-command","string":"/bin/sh"}]"#,
        r#"[{"name":"load-restrictor","string":"LoadRestrictionsNone"}]"#,
        "not json",
    ] {
        let env = argocd_env("overlays/dev", &[("ARGOCD_APP_PARAMETERS", parameters)]);
        let output = generate(&app, &env);
        assert_eq!(output.status.code(), Some(1), "{parameters}");
        assert!(output.stdout.is_empty());
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(
            error.contains("ARGOCD_APP_PARAMETERS")
                || error.contains("is not one an Application may set"),
            "{error}"
        );
    }
}

fn sidecar_build() -> (PathBuf, String) {
    let dir = repo_root().join("tests/argocd/repo-server");
    let built = strata_build(&[dir.to_str().expect("UTF-8 path")]);
    (dir, built)
}

/// The component adds the sidecar as Argo CD's docs ask, and kubectl's
/// kustomize builds it to the same bytes.
#[test]
fn the_sidecar_component_builds_as_argocd_documents() {
    let (dir, built) = sidecar_build();
    let path = dir.join("built.yaml");
    let documents = strata::yaml::parse_stream(&built, &path).expect("YAML stream");
    let config_map = documents
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .expect("the plugin ConfigMap");
    let plugin_text =
        std::fs::read_to_string(repo_root().join("integrations/argocd/plugin.yaml")).expect("read");
    assert_eq!(config_map["data"]["plugin.yaml"], plugin_text.as_str());
    let config_map_name = config_map["metadata"]["name"].as_str().expect("name");
    assert!(
        config_map_name.starts_with("strata-cmp-plugin-"),
        "{config_map_name}"
    );

    let deployment = documents
        .iter()
        .find(|d| d["kind"] == "Deployment")
        .expect("the repo server");
    assert_eq!(deployment["metadata"]["name"], "argocd-repo-server");
    let pod = &deployment["spec"]["template"]["spec"];
    let containers = pod["containers"].as_array().expect("containers");
    let sidecar = containers
        .iter()
        .find(|c| c["name"] == "strata")
        .expect("the strata sidecar");
    assert_eq!(
        sidecar["command"],
        json!(["/var/run/argocd/argocd-cmp-server"])
    );
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    assert_eq!(sidecar["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        sidecar["image"],
        "registry.example.com/platform/strata-cmp:v0.1.0"
    );
    let mounts = sidecar["volumeMounts"].as_array().expect("mounts");
    let mount = |path: &str| {
        mounts
            .iter()
            .find(|m| m["mountPath"] == path)
            .unwrap_or_else(|| panic!("no mount at {path}: {mounts:?}"))
    };
    assert_eq!(mount("/var/run/argocd")["name"], "var-files");
    assert_eq!(mount("/home/argocd/cmp-server/plugins")["name"], "plugins");
    let config = mount("/home/argocd/cmp-server/config/plugin.yaml");
    assert_eq!(config["subPath"], "plugin.yaml");
    // Its own /tmp: not the volume the repo server mounts there.
    let tmp = mount("/tmp")["name"]
        .as_str()
        .expect("tmp volume")
        .to_string();
    let repo_server = containers
        .iter()
        .find(|c| c["name"] == "argocd-repo-server")
        .expect("the repo server container");
    let repo_server_tmp = repo_server["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .find(|m| m["mountPath"] == "/tmp")
        .expect("repo server /tmp");
    assert_ne!(repo_server_tmp["name"], tmp.as_str());

    let volumes = pod["volumes"].as_array().expect("volumes");
    let volume = |name: &str| {
        volumes
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no volume {name}"))
    };
    assert_eq!(volume(&tmp)["emptyDir"], json!({}));
    // The hashed name reaches the volume, so a new plugin.yaml rolls the pod.
    assert_eq!(
        volume(config["name"].as_str().expect("name"))["configMap"]["name"],
        config_map_name
    );

    match Command::new("kubectl").arg("kustomize").arg(&dir).output() {
        Ok(output) if output.status.success() => {
            assert_eq!(String::from_utf8_lossy(&output.stdout), built);
        }
        Ok(output) => panic!(
            "kubectl kustomize failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => eprintln!("kubectl absent: the sidecar build is not compared with kustomize"),
    }
}
