use serde_json::json;

use super::*;

fn chart(value: Value) -> HelmChart {
    serde_json::from_value(value).unwrap()
}

/// The argument list kubectl kustomize v5.5.0 passed to a stand-in helm for
/// the same chart (with its scratch values file renamed to `VALUES`).
#[test]
fn template_args_follow_kustomize() {
    let chart_with_everything = chart(json!({
        "name": "foo", "releaseName": "rel", "namespace": "ns1",
        "additionalValuesFiles": ["extra.yaml"], "includeCRDs": true,
        "skipTests": true, "apiVersions": ["v1", "apps/v1"], "kubeVersion": "1.29",
        "nameTemplate": "nt", "skipHooks": true
    }));
    let args = template_args(
        &chart_with_everything,
        Path::new("/k/charts"),
        Path::new("VALUES"),
        &[PathBuf::from("/k/extra.yaml")],
    );
    assert_eq!(
        args.join(" "),
        "template rel /k/charts/foo --namespace ns1 --name-template nt -f VALUES -f /k/extra.yaml \
         --api-versions v1 --api-versions apps/v1 --kube-version 1.29 --include-crds --skip-tests --no-hooks"
    );
    let unnamed = template_args(
        &chart(json!({"name": "foo"})),
        Path::new("/k/charts"),
        Path::new("VALUES"),
        &[],
    );
    assert_eq!(
        unnamed.join(" "),
        "template --generate-name /k/charts/foo -f VALUES"
    );
}

#[test]
fn chart_settings_win_over_the_cli() {
    let options = HelmOptions {
        kube_version: Some("1.30".into()),
        api_versions: vec!["a/v1".into()],
        debug: true,
        ..HelmOptions::default()
    };
    let own = with_cli_overrides(
        &chart(json!({"name": "c", "kubeVersion": "1.29"})),
        &options,
    );
    assert_eq!(own.kube_version, "1.29");
    assert_eq!(own.api_versions, ["a/v1"]);
    assert!(own.debug);
    let set = with_cli_overrides(
        &chart(json!({"name": "c", "apiVersions": ["x/v1"]})),
        &options,
    );
    assert_eq!(set.kube_version, "1.30");
    assert_eq!(set.api_versions, ["x/v1"]);
}

#[test]
fn pulls_into_the_versioned_chart_home() {
    let globals = HelmGlobals::default();
    let pinned = chart(json!({"name": "m", "repo": "https://charts.example", "version": "1.2.3"}));
    let home = chart_home(Path::new("/k"), &pinned, &globals);
    assert_eq!(home, PathBuf::from("/k/charts/m-1.2.3"));
    assert_eq!(
        pull_args(&pinned, &home).join(" "),
        "pull --untar --untardir /k/charts/m-1.2.3 --repo https://charts.example m --version 1.2.3"
    );
    let oci = chart(json!({"name": "m", "repo": "oci://r.example/charts/"}));
    assert_eq!(
        pull_args(&oci, Path::new("/k/charts")).join(" "),
        "pull --untar --untardir /k/charts oci://r.example/charts/m"
    );
}

/// The merged values kubectl kustomize wrote for the same inputs.
#[test]
fn merges_values_as_kyaml_merge2() {
    let file = json!({"a": 1, "b": {"c": 2, "d": [1, 2]}});
    let inline = json!({"b": {"e": 3}, "z": "zz"});
    assert_eq!(
        crate::emit::document(&merge_values(file, &inline)),
        "a: 1\nb:\n  c: 2\n  d:\n  - 1\n  - 2\n  e: 3\nz: zz\n"
    );
    // Lists are replaced, not merged; a null removes the key.
    assert_eq!(
        merge_values(
            json!({"d": [1, 2], "gone": 1}),
            &json!({"d": [9], "gone": null})
        ),
        json!({"d": [9]})
    );
}

#[test]
fn converts_the_deprecated_field() {
    let k = Kustomization {
        helm_chart_inflation_generator: vec![serde_json::from_value(json!({
            "chartName": "old", "chartVersion": "1", "chartRepoUrl": "https://r",
            "chartHome": "vendor", "releaseName": "r", "values": "v.yaml"
        }))
        .unwrap()],
        ..Kustomization::default()
    };
    let (charts, globals) = charts_and_globals(&k);
    assert_eq!(charts.len(), 1);
    assert_eq!(
        (
            charts[0].name.as_str(),
            charts[0].repo.as_str(),
            charts[0].values_file.as_str()
        ),
        ("old", "https://r", "v.yaml")
    );
    assert_eq!(globals.chart_home, "vendor");
}

#[test]
fn refuses_charts_without_enable_helm() {
    let k = Kustomization {
        helm_charts: vec![serde_json::from_value(json!({"name": "foo"})).unwrap()],
        ..Kustomization::default()
    };
    let fs = crate::fs::MemFs::new();
    let root = PathBuf::from("/k");
    let loader = Loader::new(&fs, &root, crate::load::loader::LoadRestrictions::RootOnly);
    let error = inflate_all(
        &loader,
        &k,
        Path::new("/k/kustomization.yaml"),
        &HelmOptions::default(),
        &crate::progress::Progress::none(),
        &mut ResourceMap::default(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("must specify --enable-helm"),
        "{error}"
    );
}
