//! Jsonnet evaluation over an in-memory tree (nothing here touches the disk).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::*;
use crate::fs::MemFs;
use crate::load::loader::LoadRestrictions;

const ROOT: &str = "/r/app";

/// A tree under `/r`; the kustomization root is `/r/app`.
fn tree(files: &[(&str, &str)]) -> MemFs {
    let mut fs = MemFs::new();
    fs.add("/r/app/kustomization.yaml", "resources: [main.jsonnet]\n");
    for (path, text) in files {
        fs.add(Path::new("/r").join(path), *text);
    }
    fs
}

fn run_with(
    fs: &MemFs,
    restrictions: LoadRestrictions,
    config: &JsonnetConfig,
    overrides: &JsonnetOverrides,
) -> Result<Vec<Value>> {
    let root = PathBuf::from(ROOT);
    let loader = Loader::new(fs, &root, restrictions);
    let resources = evaluate(&loader, "main.jsonnet", config, overrides)?;
    for resource in &resources {
        assert_eq!(
            resource.origin,
            crate::resource::Origin::Jsonnet(PathBuf::from("/r/app/main.jsonnet"))
        );
    }
    Ok(resources.into_iter().map(Resource::into_object).collect())
}

fn run(fs: &MemFs, config: &JsonnetConfig) -> Result<Vec<Value>> {
    run_with(
        fs,
        LoadRestrictions::RootOnly,
        config,
        &JsonnetOverrides::default(),
    )
}

fn main_only(program: &str) -> MemFs {
    tree(&[("app/main.jsonnet", program)])
}

fn config(value: &Value) -> JsonnetConfig {
    JsonnetConfig::from_value(Path::new("/r/app/kustomization.yaml"), value).unwrap()
}

fn cm(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
}

const CM: &str = "local cm(n) = {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: n}};\n";

#[test]
fn each_value_shape_gives_its_resources() {
    let cases = [
        ("one resource", "cm('a')", vec![cm("a")]),
        ("array", "[cm('a'), cm('b')]", vec![cm("a"), cm("b")]),
        (
            "kind List",
            "{apiVersion: 'v1', kind: 'List', items: [cm('b'), cm('a')]}",
            vec![cm("b"), cm("a")],
        ),
        (
            "nested object, sorted fields, hidden fields and nulls left out",
            "{z: cm('z'), a: {x: cm('x'), off: if false then cm('no')}, h:: cm('hidden'), m: [cm('m')]}",
            vec![cm("x"), cm("m"), cm("z")],
        ),
    ];
    for (name, program, expected) in cases {
        let fs = main_only(&format!("{CM}{program}"));
        assert_eq!(
            run(&fs, &JsonnetConfig::default()).unwrap(),
            expected,
            "{name}"
        );
    }
}

#[test]
fn whole_numbers_become_integers() {
    let fs = main_only(
        "{apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'a'},\n\
         spec: {replicas: 6 / 2, ratio: 0.5, big: 1e20, neg: -4}}",
    );
    let objects = run(&fs, &JsonnetConfig::default()).unwrap();
    let spec = &objects[0]["spec"];
    assert!(spec["replicas"].is_i64(), "{spec}");
    assert_eq!(spec["replicas"], json!(3));
    assert_eq!(spec["neg"], json!(-4));
    assert_eq!(spec["ratio"], json!(0.5));
    assert!(spec["big"].is_f64(), "{spec}");
}

#[test]
fn external_variables_as_strings_code_and_overrides() {
    let program = "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: std.extVar('name')},\n\
                   data: {n: std.toString(std.extVar('n')), env: std.extVar('env')}}";
    let fs = main_only(program);
    let settings = config(&json!({
        "extVars": {"name": "web", "env": "dev"},
        "extCode": {"n": "1 + 2"},
    }));
    let objects = run(&fs, &settings).unwrap();
    assert_eq!(objects[0]["metadata"]["name"], json!("web"));
    assert_eq!(objects[0]["data"], json!({"env": "dev", "n": "3"}));

    // --ext-str wins over extVars and over extCode of the same name.
    let overrides = JsonnetOverrides {
        ext_str: vec![("env".into(), "prod".into()), ("n".into(), "x".into())],
        tla_str: vec![],
        max_stack: None,
        max_elements: None,
        max_memory: None,
    };
    let objects = run_with(&fs, LoadRestrictions::RootOnly, &settings, &overrides).unwrap();
    assert_eq!(objects[0]["data"], json!({"env": "prod", "n": "x"}));
}

#[test]
fn top_level_arguments_as_strings_code_and_overrides() {
    let program =
        "function(name, replicas, suffix='') {apiVersion: 'apps/v1', kind: 'Deployment',\n\
                   metadata: {name: name + suffix}, spec: {replicas: replicas}}";
    let fs = main_only(program);
    let settings = config(&json!({"tlas": {"name": "api"}, "tlaCode": {"replicas": "2 * 2"}}));
    let objects = run(&fs, &settings).unwrap();
    assert_eq!(objects[0]["metadata"]["name"], json!("api"));
    assert_eq!(objects[0]["spec"]["replicas"], json!(4));

    let overrides = JsonnetOverrides {
        ext_str: vec![],
        tla_str: vec![
            ("suffix".into(), "-canary".into()),
            ("name".into(), "web".into()),
        ],
        max_stack: None,
        max_elements: None,
        max_memory: None,
    };
    let objects = run_with(&fs, LoadRestrictions::RootOnly, &settings, &overrides).unwrap();
    assert_eq!(objects[0]["metadata"]["name"], json!("web-canary"));
}

#[test]
fn code_arguments_may_import_from_the_root_and_libraries() {
    let fs = tree(&[
        // Not `function(cfg) cfg`: jrsonnet turns that into `std.id` and loses the name.
        ("app/main.jsonnet", "function(cfg) [cfg]"),
        ("app/lib/cm.libsonnet", CM.replace(";\n", "; cm").as_str()),
    ]);
    let settings = config(&json!({"tlaCode": {"cfg": "(import 'cm.libsonnet')('from-lib')"}}));
    assert_eq!(run(&fs, &settings).unwrap(), vec![cm("from-lib")]);
}

#[test]
fn imports_search_the_importing_directory_then_library_paths() {
    let lib = |name: &str| format!("{{name: '{name}'}}");
    let program = "local a = import 'a.libsonnet'; local b = import 'b.libsonnet';\n\
                   local c = import 'sub/c.libsonnet';\n\
                   {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'},\n\
                    data: {a: a.name, b: b.name, c: c.name, d: c.d, t: importstr 'lib/t.txt'}}";
    let files = [
        ("app/main.jsonnet", program.to_string()),
        ("app/a.libsonnet", lib("root")),
        ("app/lib/a.libsonnet", lib("lib")),
        ("app/lib/b.libsonnet", lib("lib")),
        ("app/lib/t.txt", "text\n".to_string()),
        ("app/vendor/b.libsonnet", lib("vendor")),
        // Relative imports inside a library resolve next to the library file.
        (
            "app/vendor/sub/c.libsonnet",
            "(import 'd.libsonnet') + {name: 'vendor'}".to_string(),
        ),
        (
            "app/vendor/sub/d.libsonnet",
            "{d: 'vendor-sub'}".to_string(),
        ),
        ("app/custom/b.libsonnet", lib("custom")),
        (
            "app/custom/sub/c.libsonnet",
            "{name: 'custom', d: ''}".to_string(),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let fs = tree(&files);

    // Default: lib/ before vendor/.
    let objects = run(&fs, &JsonnetConfig::default()).unwrap();
    let expected =
        json!({"a": "root", "b": "lib", "c": "vendor", "d": "vendor-sub", "t": "text\n"});
    assert_eq!(objects[0]["data"], expected);

    // Custom: only the listed directories, in order.
    let objects = run(&fs, &config(&json!({"libraryPaths": ["custom", "vendor"]}))).unwrap();
    let expected = json!({"a": "root", "b": "custom", "c": "custom", "d": "", "t": "text\n"});
    assert_eq!(objects[0]["data"], expected);
}

#[test]
fn missing_library_path_is_an_error() {
    let fs = main_only("[]");
    let error = run(&fs, &config(&json!({"libraryPaths": ["nope"]}))).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("jsonnet.libraryPaths"), "{text}");
    assert!(text.contains("`nope` is not a directory"), "{text}");
}

#[test]
fn imports_outside_the_root_and_library_paths_are_refused() {
    let fs = tree(&[
        ("app/main.jsonnet", "import '../secret.libsonnet'"),
        ("secret.libsonnet", "[]"),
    ]);
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert!(
        error.starts_with(
            "RUNTIME ERROR: cannot import `../secret.libsonnet` from `main.jsonnet`: \
             security; file '../secret.libsonnet' is not in or below the kustomization root"
        ),
        "{error}"
    );
    assert!(error.ends_with("\n\tmain.jsonnet:1:1-29"), "{error}");
    // Without the restrictor the same import works.
    let open = run_with(
        &fs,
        LoadRestrictions::None,
        &JsonnetConfig::default(),
        &JsonnetOverrides::default(),
    );
    assert_eq!(open.unwrap(), Vec::<Value>::new());
}

#[test]
fn a_library_path_outside_the_root_obeys_the_restrictor() {
    let fs = tree(&[
        ("app/main.jsonnet", "import 'shared.libsonnet'"),
        ("shared/shared.libsonnet", "[]"),
    ]);
    let settings = config(&json!({"libraryPaths": ["../shared"]}));
    let error = run(&fs, &settings).unwrap_err().to_string();
    assert!(
        error.contains(
            "security; file '../shared/shared.libsonnet' is not in or below the kustomization root"
        ),
        "{error}"
    );
    let open = run_with(
        &fs,
        LoadRestrictions::None,
        &settings,
        &JsonnetOverrides::default(),
    );
    assert_eq!(open.unwrap(), Vec::<Value>::new());
}

#[test]
fn missing_import_names_the_import() {
    let fs = main_only("{}\n+ import 'nowhere.libsonnet'");
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    // As go-jsonnet: the frame is the import expression, line 2, columns 3 to 28.
    assert_eq!(
        error,
        "RUNTIME ERROR: couldn't open import \"nowhere.libsonnet\": \
         no match locally or in the Jsonnet library paths\n\tmain.jsonnet:2:3-29"
    );

    // A failure inside a library is placed in the library.
    let fs = tree(&[
        ("app/main.jsonnet", "import 'a.libsonnet'"),
        ("app/lib/a.libsonnet", "{}\n+ import \"gone.libsonnet\""),
    ]);
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert_eq!(
        error,
        "RUNTIME ERROR: couldn't open import \"gone.libsonnet\": \
         no match locally or in the Jsonnet library paths\n\
         \tlib/a.libsonnet:2:3-26\n\
         \tmain.jsonnet:1:1-7\timport"
    );
}

#[test]
fn syntax_errors_show_file_line_and_column() {
    // The object on line 2 is missing a value after `replicas:`; the parser
    // stops at the `}` in column 13.
    let fs = tree(&[
        (
            "app/main.jsonnet",
            "local lib = import 'lib/app.libsonnet';\nlib",
        ),
        ("app/lib/app.libsonnet", "{\n  replicas: }\n"),
    ]);
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert_eq!(
        error,
        "RUNTIME ERROR: lib/app.libsonnet:2:13-14 unexpected '}'\n\tmain.jsonnet:1:13-19\timport"
    );
}

#[test]
fn runtime_errors_show_file_line_column_and_stack() {
    let fs = tree(&[
        (
            "app/main.jsonnet",
            "local app = import 'app.libsonnet';\n\napp.make('web')",
        ),
        (
            "app/lib/app.libsonnet",
            "{\n  make(name)::\n    error 'cannot make ' + name,\n}\n",
        ),
    ]);
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    // The stack trace goes back to the call in the program (jrsonnet places
    // a call at its argument list).
    assert!(
        error.starts_with(
            "RUNTIME ERROR: cannot make web\n\
             \tlib/app.libsonnet:3:5-10\terror statement\n\
             \tmain.jsonnet:3:9-16\tfunction <make> call"
        ),
        "{error}"
    );
}

#[test]
fn errors_in_code_arguments_name_the_argument() {
    let fs = main_only("std.extVar('bad')");
    let error = run(&fs, &config(&json!({"extCode": {"bad": "1 +"}}))).unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("RUNTIME ERROR: <extCode bad>:1:4 unexpected end of file\n"),
        "{text}"
    );
}

#[test]
fn undefined_external_variable_is_located() {
    let fs = main_only("[\n  std.extVar('missing'),\n]");
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert!(
        error.starts_with(
            "RUNTIME ERROR: external variable is not defined: missing\n\tmain.jsonnet:2:13-24\t"
        ),
        "{error}"
    );
    assert!(
        error.contains("while evaluating `.[0]` of the program's value"),
        "{error}"
    );
}

#[test]
fn values_that_are_not_resources_name_their_path() {
    let cases = [
        (
            "{frontend: {replicas: 3}}",
            "`.frontend.replicas` is a number",
        ),
        (
            "[{apiVersion: 'v1', kind: 'Secret'}, 'x']",
            "`.[1]` is a string",
        ),
        ("{f: function(x) x}", "`.f` is a function"),
    ];
    for (program, expected) in cases {
        let fs = main_only(program);
        let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn errors_while_output_name_the_field() {
    let fs = main_only("{apiVersion: 'v1', kind: 'ConfigMap', data: {a: error 'no a'}}");
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert_eq!(
        error,
        "RUNTIME ERROR: no a\n\tmain.jsonnet:1:49-54\terror statement\n\
         \twhile evaluating `.data.a` of the program's value"
    );
}

#[test]
fn the_program_must_exist_and_be_inside_the_root() {
    let fs = MemFs::new();
    let root = PathBuf::from(ROOT);
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let none = JsonnetOverrides::default();
    let error = evaluate(&loader, "main.jsonnet", &JsonnetConfig::default(), &none).unwrap_err();
    assert_eq!(error.to_string(), "/r/app/main.jsonnet: no such file");

    let fs = tree(&[("other/main.jsonnet", "[]")]);
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let error = evaluate(
        &loader,
        "../other/main.jsonnet",
        &JsonnetConfig::default(),
        &none,
    );
    assert!(error
        .unwrap_err()
        .to_string()
        .contains("is not in or below"));
}

#[test]
fn config_is_parsed_strictly() {
    let file = Path::new("/r/app/kustomization.yaml");
    let parsed = JsonnetConfig::from_value(
        file,
        &json!({"extVars": {"a": "1"}, "extCode": {"b": "{}"}, "tlas": {"c": "x"},
                "tlaCode": {"d": "[]"}, "libraryPaths": ["lib"]}),
    )
    .unwrap();
    assert_eq!(parsed.ext_vars["a"], "1");
    assert_eq!(parsed.ext_code["b"], "{}");
    assert_eq!(parsed.tlas["c"], "x");
    assert_eq!(parsed.tla_code["d"], "[]");
    assert_eq!(parsed.library_paths, Some(vec!["lib".to_string()]));
    assert_eq!(
        JsonnetConfig::from_value(file, &Value::Null).unwrap(),
        JsonnetConfig::default()
    );

    let cases = [
        (json!({"extVar": {}}), "jsonnet.extVar`: unknown field"),
        (
            json!({"extVars": {"n": 3}}),
            "jsonnet.extVars`: `n` must be a string",
        ),
        (json!({"tlas": ["a"]}), "jsonnet.tlas`: expected a mapping"),
        (
            json!({"libraryPaths": "lib"}),
            "jsonnet.libraryPaths`: expected a list",
        ),
        (
            json!({"libraryPaths": [1]}),
            "jsonnet.libraryPaths`: expected a path",
        ),
        (
            json!({"tlas": {"a": "x"}, "tlaCode": {"a": "1"}}),
            "jsonnet.tlaCode`: `a` is also set in `tlas`",
        ),
        (json!("x"), "field `jsonnet`: expected a mapping"),
    ];
    for (value, expected) in cases {
        let error = JsonnetConfig::from_value(file, &value)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("/r/app/kustomization.yaml: field `"),
            "{error}"
        );
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn parses_command_line_assignments() {
    let parse = JsonnetOverrides::parse_assignment;
    assert_eq!(parse("a=b=c"), Ok(("a".into(), "b=c".into())));
    assert_eq!(parse("a="), Ok(("a".into(), String::new())));
    assert!(parse("=b").is_err());
    assert!(parse("ab").is_err());
}

#[test]
fn the_example_base_builds() {
    let mut fs = MemFs::new();
    fs.add(
        "/repo/bases/api/main.jsonnet",
        include_str!("../../../bases/api/main.jsonnet"),
    )
    .add(
        "/repo/bases/api/lib/app.libsonnet",
        include_str!("../../../bases/api/lib/app.libsonnet"),
    );
    let root = PathBuf::from("/repo/bases/api");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let none = JsonnetOverrides::default();
    let resources = evaluate(&loader, "main.jsonnet", &JsonnetConfig::default(), &none).unwrap();
    let ids: Vec<String> = resources.iter().map(|r| r.id().to_string()).collect();
    assert_eq!(
        ids,
        [
            "autoscaling/v2 HorizontalPodAutoscaler api",
            "apps/v1 Deployment api",
            "v1 Service api"
        ]
    );
    let deployment = resources[1].object();
    assert_eq!(
        deployment["spec"].get("replicas"),
        None,
        "the autoscaler owns replicas"
    );
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "LOG_LEVEL", "value": "info"}])
    );
    assert_eq!(resources[0].object()["spec"]["maxReplicas"], json!(6));
}

#[test]
fn max_stack_bounds_nested_calls() {
    let program = "local f(n) = if n == 0 then {} else f(n - 1);\nf(300)";
    let fs = main_only(program);
    let settings = JsonnetConfig::default();
    assert!(run(&fs, &settings).is_ok());
    let low = JsonnetOverrides {
        max_stack: Some(50),
        ..JsonnetOverrides::default()
    };
    let error = run_with(&fs, LoadRestrictions::RootOnly, &settings, &low).unwrap_err();
    assert!(error.to_string().contains("stack overflow"), "{error}");
}

#[test]
fn deep_values_are_an_error_not_an_abort() {
    let program = "local deep(n) = if n == 0 then 1 else {a: deep(n - 1)};\n\
                   {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: deep(12000)}";
    let fs = main_only(program);
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert!(error.contains("nested deeper than 10000 levels"), "{error}");
    let program = "local deep(n) = if n == 0 then 1 else [deep(n - 1)];\n\
                   {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: deep(5000)}";
    assert!(run(&main_only(program), &JsonnetConfig::default()).is_ok());
}

/// Runs `data: {v: EXPR}` with `--jsonnet-max-elements limit`; the value or the error.
fn with_limit(expression: &str, limit: usize) -> std::result::Result<Value, String> {
    let program = format!("{{apiVersion: 'v1', kind: 'ConfigMap', metadata: {{name: 'x'}}, data: {{v: {expression}}}}}");
    let fs = main_only(&program);
    let overrides = JsonnetOverrides {
        max_elements: Some(limit),
        ..JsonnetOverrides::default()
    };
    run_with(
        &fs,
        LoadRestrictions::RootOnly,
        &JsonnetConfig::default(),
        &overrides,
    )
    .map(|objects| objects[0]["data"]["v"].clone())
    .map_err(|error| error.to_string())
}

#[test]
fn sized_std_functions_work_up_to_the_limit() {
    let cases = [
        ("std.makeArray(4, function(i) i * 2)", json!([0, 2, 4, 6])),
        ("std.makeArray(sz=2, func=function(i) i)", json!([0, 1])),
        ("std.range(3, 6)", json!([3, 4, 5, 6])),
        ("std.range(6, 3)", json!([])),
        ("std.repeat('ab', 3)", json!("ababab")),
        ("std.repeat([1, 2], 2)", json!([1, 2, 1, 2])),
        ("std.join('-', ['a', null, 'bc'])", json!("a-bc")),
        ("std.join([0], [[1], [2, 3]])", json!([1, 0, 2, 3])),
        ("std.length(std.thisFile) > 0", json!(true)),
        // Exactly at the limit.
        ("std.length(std.makeArray(20, function(i) i))", json!(20)),
        ("std.length(std.range(1, 20))", json!(20)),
        ("std.length(std.repeat('ab', 10))", json!(20)),
        (
            "std.length(std.join(',', std.repeat(['ab'], 6)))",
            json!(17),
        ),
    ];
    for (expression, expected) in cases {
        assert_eq!(with_limit(expression, 20), Ok(expected), "{expression}");
    }
}

#[test]
fn sized_std_functions_refuse_results_beyond_the_limit() {
    let cases = [
        (
            "std.makeArray(7, function(i) i)",
            "std.makeArray: the result would have 7 elements",
        ),
        ("std.makeArray(1e9, function(i) i)", "1000000000 elements"),
        (
            "std.range(1, 7)",
            "std.range: the result would have 7 elements",
        ),
        (
            "std.repeat('abc', 3)",
            "std.repeat: the result would have 9 bytes",
        ),
        (
            "std.repeat([1, 2], 4)",
            "std.repeat: the result would have 8 elements",
        ),
        (
            "std.join(', ', ['ab', 'cd'])",
            "std.join: the result would have 6 bytes",
        ),
        (
            "std.join([0], [[1, 2], [3, 4, 5]])",
            "std.join: the result would have 6 elements",
        ),
    ];
    for (expression, expected) in cases {
        let error = with_limit(expression, 5).unwrap_err();
        assert!(error.starts_with("RUNTIME ERROR: "), "{error}");
        assert!(error.contains(expected), "{expression}: {error}");
        assert!(
            error.contains("more than the limit of 5 (--jsonnet-max-elements)"),
            "{error}"
        );
        assert!(error.contains("\tmain.jsonnet:1:"), "{error}");
    }
    // Wrong arguments are still jrsonnet's own errors.
    let error = with_limit("std.makeArray('x', function(i) i)", 5).unwrap_err();
    assert!(!error.contains("--jsonnet-max-elements"), "{error}");
}

#[test]
fn the_output_is_bounded_before_it_is_copied() {
    // Doubling by concatenation is lazy in jrsonnet: 2^40 bytes and 2^31
    // elements cost nothing until output.
    let strings = "local f(s, n) = if n == 0 then s else f(s + s, n - 1); f('x', 40)";
    let error = with_limit(strings, 1000).unwrap_err();
    assert!(
        error
            .contains("holds more than 10000 bytes of strings, beyond --jsonnet-max-elements 1000"),
        "{error}"
    );
    assert!(error.contains("while evaluating `.data.v`"), "{error}");
    let arrays = "local f(a, n) = if n == 0 then a else f(a + a, n - 1); f([1], 31)";
    let error = with_limit(arrays, 1000).unwrap_err();
    assert!(error.contains("holds more than 1000 values"), "{error}");
    // Below the bound the same programs build.
    assert_eq!(
        with_limit(
            "local f(a, n) = if n == 0 then a else f(a + a, n - 1); std.length(f([1], 3))",
            1000
        ),
        Ok(json!(8))
    );
    assert!(with_limit("std.makeArray(900, function(i) i)", 1000).is_ok());
}

#[test]
fn a_missing_field_is_placed_where_it_is_written() {
    let fs = main_only("local o = {a: 1};\n{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, x: o.missing}\n");
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert_eq!(
        error,
        "RUNTIME ERROR: field does not exist: missing\n\
         \tmain.jsonnet:2:65-74\tfield <missing> access\n\
         \twhile evaluating `.x` of the program's value"
    );
    // Two places could be meant: none is guessed.
    let fs = main_only("local o = {a: 1};\n[o.missing, o['missing']]");
    let error = run(&fs, &JsonnetConfig::default()).unwrap_err().to_string();
    assert_eq!(
        error,
        "RUNTIME ERROR: field does not exist: missing\n\
         \twhile evaluating `.[0]` of the program's value\n\tmain.jsonnet"
    );
}

#[test]
fn sizes_read_bytes_and_binary_units() {
    use super::{format_size, parse_size};
    assert_eq!(parse_size("512Mi"), Ok(512 << 20));
    assert_eq!(parse_size("2Gi"), Ok(2 << 30));
    assert_eq!(parse_size("4096"), Ok(4096));
    assert!(parse_size("2GB").is_err());
    assert!(parse_size("0").is_err());
    assert!(parse_size("99999999999Gi").is_err());
    assert_eq!(format_size(2 << 30), "2Gi");
    assert_eq!(format_size(1000), "1000");
}
