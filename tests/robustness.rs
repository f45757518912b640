//! Property tests: on arbitrary input, patches and the loader return a
//! result or an error, never a panic. Inputs come from a seeded generator,
//! so a failure names a seed that reproduces it.

use std::path::Path;

use serde_json::{json, Map, Value};
use strata::engine::{json6902, smp};
use strata::fs::MemFs;
use strata::BuildOptions;

/// xorshift64*: small, seeded, good enough to spread inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Keys that matter to strategic merge: merge keys, directives, pod-spec fields.
const KEYS: &[&str] = &[
    "name",
    "containers",
    "initContainers",
    "env",
    "ports",
    "containerPort",
    "volumes",
    "volumeMounts",
    "mountPath",
    "value",
    "spec",
    "template",
    "metadata",
    "labels",
    "$patch",
    "$setElementOrder/containers",
    "$deleteFromPrimitiveList/finalizers",
    "$retainKeys",
    "finalizers",
    "image",
    "protocol",
    "port",
    "tolerations",
    "key",
];
const STRINGS: &[&str] = &[
    "a", "b", "delete", "replace", "merge", "", "TCP", "web", "0",
];

fn value(rng: &mut Rng, depth: usize) -> Value {
    match if depth > 4 {
        rng.below(4)
    } else {
        rng.below(7)
    } {
        0 => Value::Null,
        1 => json!(rng.below(3) as i64),
        2 => json!(rng.below(2) == 0),
        3 => json!(rng.pick(STRINGS)),
        4 | 5 => {
            let mut map = Map::new();
            for _ in 0..rng.below(4) {
                map.insert(rng.pick(KEYS).to_string(), value(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
    }
}

fn deployment(rng: &mut Rng) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": value(rng, 1)})
}

#[test]
fn strategic_merge_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let mut target = deployment(&mut rng);
        let patch = deployment(&mut rng);
        let _ = smp::merge(&mut target, &patch, smp::OpenApi::builtin());
    }
}

#[test]
fn json_patches_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let paths = [
        "/spec",
        "/spec/0",
        "/spec/-",
        "/metadata/name",
        "/x~1y",
        "/spec/a/b",
        "",
        "/",
    ];
    let ops = ["add", "remove", "replace", "move", "copy", "test", "bogus"];
    for _ in 0..20_000 {
        let mut target = deployment(&mut rng);
        let op = json!([{"op": rng.pick(&ops), "path": rng.pick(&paths),
                         "from": rng.pick(&paths), "value": value(&mut rng, 2)}]);
        if let Ok(ops) = json6902::ops_from_value(op, "fuzz") {
            let _ = json6902::apply(&mut target, &ops, "web");
        }
    }
}

/// Random kustomizations over a small random tree.
#[test]
fn the_loader_never_panics() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let fields = [
        "resources",
        "bases",
        "components",
        "namePrefix",
        "nameSuffix",
        "namespace",
        "commonLabels",
        "labels",
        "commonAnnotations",
        "patches",
        "patchesStrategicMerge",
        "patchesJson6902",
        "images",
        "replicas",
        "configMapGenerator",
        "secretGenerator",
        "generatorOptions",
        "replacements",
        "vars",
        "sortOptions",
        "configurations",
        "crds",
        "presets",
        "transformers",
        "generators",
        "buildMetadata",
        "openapi",
        "kind",
        "apiVersion",
    ];
    let entries = [
        "base",
        "a.yaml",
        "../a.yaml",
        "missing",
        "c",
        "k.yaml",
        "",
        "/abs",
    ];
    for seed in 0..3_000 {
        let mut fs = MemFs::new();
        fs.add(
            "/r/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        );
        fs.add("/r/base/kustomization.yaml", "resources:\n- ../a.yaml\n");
        fs.add(
            "/r/c/kustomization.yaml",
            "kind: Component\napiVersion: kustomize.config.k8s.io/v1alpha1\n",
        );
        fs.add("/a.yaml", "kind: Secret\n");
        let mut text = String::new();
        for _ in 0..1 + rng.below(4) {
            let field = rng.pick(&fields);
            match rng.below(4) {
                0 => text.push_str(&format!("{field}: {}\n", rng.pick(STRINGS))),
                1 => text.push_str(&format!("{field}:\n- {}\n", rng.pick(&entries))),
                2 => text.push_str(&format!(
                    "{field}:\n- name: {}\n  {}: {}\n",
                    rng.pick(STRINGS),
                    rng.pick(KEYS),
                    rng.pick(&entries)
                )),
                _ => text.push_str(&format!(
                    "{field}: {}\n",
                    serde_json::to_string(&value(&mut rng, 2)).unwrap()
                )),
            }
        }
        fs.add("/r/kustomization.yaml", text.clone());
        fs.add("/r/k.yaml", text);
        let result = std::panic::catch_unwind(|| {
            strata::build(&fs, Path::new("/r"), &BuildOptions::default())
        });
        assert!(result.is_ok(), "seed {seed} panicked");
    }
}
