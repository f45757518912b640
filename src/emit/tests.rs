//! Whole documents against `kubectl kustomize` (Kustomize v5.5.0).
//!
//! Every expected string below is kubectl's output for the same value (a
//! resource file holding it, built with `kubectl kustomize`); the values are
//! the ones the parser resolves, e.g. `1e3` is already the float 1000.0.
//! Cases are grouped as in notes §3.2–3.8: `str` (scalar styles), `lit`
//! (literal blocks), `fold` (80-column folding), `key`, `sort`, structures,
//! `num`, `nel` (U+0085), annotations.

use serde_json::{json, Value};

use super::{check, document};

/// The resource each `value` case was built from: the value under `data.v`.
fn resource(name: &str, value: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": name}, "data": {"v": value}})
}

/// For values nested deeper than the `json!` macro can expand.
fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}

fn assert_cases(cases: Vec<(&str, Value, &str)>) {
    let mut failures = Vec::new();
    for (name, value, expected) in cases {
        let got = document(&value);
        if got != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn str_cases() {
    assert_cases(vec![
        (
            "str000",
            resource("str000", json!("yes")),
            "apiVersion: v1\ndata:\n  v: \"yes\"\nkind: Case\nmetadata:\n  name: str000\n",
        ),
        (
            "str001",
            resource("str001", json!("no")),
            "apiVersion: v1\ndata:\n  v: \"no\"\nkind: Case\nmetadata:\n  name: str001\n",
        ),
        (
            "str002",
            resource("str002", json!("on")),
            "apiVersion: v1\ndata:\n  v: \"on\"\nkind: Case\nmetadata:\n  name: str002\n",
        ),
        (
            "str003",
            resource("str003", json!("off")),
            "apiVersion: v1\ndata:\n  v: \"off\"\nkind: Case\nmetadata:\n  name: str003\n",
        ),
        (
            "str004",
            resource("str004", json!("y")),
            "apiVersion: v1\ndata:\n  v: \"y\"\nkind: Case\nmetadata:\n  name: str004\n",
        ),
        (
            "str005",
            resource("str005", json!("Y")),
            "apiVersion: v1\ndata:\n  v: \"Y\"\nkind: Case\nmetadata:\n  name: str005\n",
        ),
        (
            "str006",
            resource("str006", json!("n")),
            "apiVersion: v1\ndata:\n  v: \"n\"\nkind: Case\nmetadata:\n  name: str006\n",
        ),
        (
            "str007",
            resource("str007", json!("true")),
            "apiVersion: v1\ndata:\n  v: \"true\"\nkind: Case\nmetadata:\n  name: str007\n",
        ),
        (
            "str008",
            resource("str008", json!("True")),
            "apiVersion: v1\ndata:\n  v: \"True\"\nkind: Case\nmetadata:\n  name: str008\n",
        ),
        (
            "str009",
            resource("str009", json!("TRUE")),
            "apiVersion: v1\ndata:\n  v: \"TRUE\"\nkind: Case\nmetadata:\n  name: str009\n",
        ),
        (
            "str010",
            resource("str010", json!("null")),
            "apiVersion: v1\ndata:\n  v: \"null\"\nkind: Case\nmetadata:\n  name: str010\n",
        ),
        (
            "str011",
            resource("str011", json!("Null")),
            "apiVersion: v1\ndata:\n  v: \"Null\"\nkind: Case\nmetadata:\n  name: str011\n",
        ),
        (
            "str012",
            resource("str012", json!("~")),
            "apiVersion: v1\ndata:\n  v: \"~\"\nkind: Case\nmetadata:\n  name: str012\n",
        ),
        (
            "str013",
            resource("str013", json!("")),
            "apiVersion: v1\ndata:\n  v: \"\"\nkind: Case\nmetadata:\n  name: str013\n",
        ),
        (
            "str014",
            resource("str014", json!("1.0")),
            "apiVersion: v1\ndata:\n  v: \"1.0\"\nkind: Case\nmetadata:\n  name: str014\n",
        ),
        (
            "str015",
            resource("str015", json!("0777")),
            "apiVersion: v1\ndata:\n  v: \"0777\"\nkind: Case\nmetadata:\n  name: str015\n",
        ),
        (
            "str016",
            resource("str016", json!("0o777")),
            "apiVersion: v1\ndata:\n  v: \"0o777\"\nkind: Case\nmetadata:\n  name: str016\n",
        ),
        (
            "str017",
            resource("str017", json!("1e3")),
            "apiVersion: v1\ndata:\n  v: \"1e3\"\nkind: Case\nmetadata:\n  name: str017\n",
        ),
        (
            "str018",
            resource("str018", json!("1E3")),
            "apiVersion: v1\ndata:\n  v: \"1E3\"\nkind: Case\nmetadata:\n  name: str018\n",
        ),
        (
            "str019",
            resource("str019", json!("0x1F")),
            "apiVersion: v1\ndata:\n  v: \"0x1F\"\nkind: Case\nmetadata:\n  name: str019\n",
        ),
        (
            "str020",
            resource("str020", json!("123")),
            "apiVersion: v1\ndata:\n  v: \"123\"\nkind: Case\nmetadata:\n  name: str020\n",
        ),
        (
            "str021",
            resource("str021", json!("-1")),
            "apiVersion: v1\ndata:\n  v: \"-1\"\nkind: Case\nmetadata:\n  name: str021\n",
        ),
        (
            "str022",
            resource("str022", json!("+1")),
            "apiVersion: v1\ndata:\n  v: \"+1\"\nkind: Case\nmetadata:\n  name: str022\n",
        ),
        (
            "str023",
            resource("str023", json!("1_000")),
            "apiVersion: v1\ndata:\n  v: \"1_000\"\nkind: Case\nmetadata:\n  name: str023\n",
        ),
        (
            "str024",
            resource("str024", json!("1__0")),
            "apiVersion: v1\ndata:\n  v: \"1__0\"\nkind: Case\nmetadata:\n  name: str024\n",
        ),
        (
            "str025",
            resource("str025", json!(".5")),
            "apiVersion: v1\ndata:\n  v: \".5\"\nkind: Case\nmetadata:\n  name: str025\n",
        ),
        (
            "str026",
            resource("str026", json!("+.5")),
            "apiVersion: v1\ndata:\n  v: \"+.5\"\nkind: Case\nmetadata:\n  name: str026\n",
        ),
        (
            "str027",
            resource("str027", json!("0b101")),
            "apiVersion: v1\ndata:\n  v: \"0b101\"\nkind: Case\nmetadata:\n  name: str027\n",
        ),
        (
            "str028",
            resource("str028", json!("-0b1")),
            "apiVersion: v1\ndata:\n  v: \"-0b1\"\nkind: Case\nmetadata:\n  name: str028\n",
        ),
        (
            "str029",
            resource("str029", json!(".inf")),
            "apiVersion: v1\ndata:\n  v: \".inf\"\nkind: Case\nmetadata:\n  name: str029\n",
        ),
        (
            "str030",
            resource("str030", json!(".nan")),
            "apiVersion: v1\ndata:\n  v: \".nan\"\nkind: Case\nmetadata:\n  name: str030\n",
        ),
        (
            "str031",
            resource("str031", json!("08")),
            "apiVersion: v1\ndata:\n  v: \"08\"\nkind: Case\nmetadata:\n  name: str031\n",
        ),
        (
            "str032",
            resource("str032", json!("2021-01-01")),
            "apiVersion: v1\ndata:\n  v: \"2021-01-01\"\nkind: Case\nmetadata:\n  name: str032\n",
        ),
        (
            "str033",
            resource("str033", json!("2021-1-1")),
            "apiVersion: v1\ndata:\n  v: \"2021-1-1\"\nkind: Case\nmetadata:\n  name: str033\n",
        ),
        (
            "str034",
            resource("str034", json!("2021-01-01 10:00:00")),
            "apiVersion: v1\ndata:\n  v: \"2021-01-01 10:00:00\"\nkind: Case\nmetadata:\n  name: str034\n",
        ),
        (
            "str035",
            resource("str035", json!("1:20")),
            "apiVersion: v1\ndata:\n  v: \"1:20\"\nkind: Case\nmetadata:\n  name: str035\n",
        ),
        (
            "str036",
            resource("str036", json!("09:00")),
            "apiVersion: v1\ndata:\n  v: \"09:00\"\nkind: Case\nmetadata:\n  name: str036\n",
        ),
        (
            "str037",
            resource("str037", json!("12:30:45")),
            "apiVersion: v1\ndata:\n  v: \"12:30:45\"\nkind: Case\nmetadata:\n  name: str037\n",
        ),
        (
            "str038",
            resource("str038", json!("1.2.3")),
            "apiVersion: v1\ndata:\n  v: 1.2.3\nkind: Case\nmetadata:\n  name: str038\n",
        ),
        (
            "str039",
            resource("str039", json!("a:b")),
            "apiVersion: v1\ndata:\n  v: a:b\nkind: Case\nmetadata:\n  name: str039\n",
        ),
        (
            "str040",
            resource("str040", json!("a,b")),
            "apiVersion: v1\ndata:\n  v: a,b\nkind: Case\nmetadata:\n  name: str040\n",
        ),
        (
            "str041",
            resource("str041", json!("-x")),
            "apiVersion: v1\ndata:\n  v: -x\nkind: Case\nmetadata:\n  name: str041\n",
        ),
        (
            "str042",
            resource("str042", json!("?x")),
            "apiVersion: v1\ndata:\n  v: ?x\nkind: Case\nmetadata:\n  name: str042\n",
        ),
        (
            "str043",
            resource("str043", json!(".")),
            "apiVersion: v1\ndata:\n  v: .\nkind: Case\nmetadata:\n  name: str043\n",
        ),
        (
            "str044",
            resource("str044", json!("=")),
            "apiVersion: v1\ndata:\n  v: =\nkind: Case\nmetadata:\n  name: str044\n",
        ),
        (
            "str045",
            resource("str045", json!("<<")),
            "apiVersion: v1\ndata:\n  v: <<\nkind: Case\nmetadata:\n  name: str045\n",
        ),
        (
            "str046",
            resource("str046", json!("+")),
            "apiVersion: v1\ndata:\n  v: +\nkind: Case\nmetadata:\n  name: str046\n",
        ),
        (
            "str047",
            resource("str047", json!("0x")),
            "apiVersion: v1\ndata:\n  v: 0x\nkind: Case\nmetadata:\n  name: str047\n",
        ),
        (
            "str048",
            resource("str048", json!("1e")),
            "apiVersion: v1\ndata:\n  v: 1e\nkind: Case\nmetadata:\n  name: str048\n",
        ),
        (
            "str049",
            resource("str049", json!("1:60")),
            "apiVersion: v1\ndata:\n  v: 1:60\nkind: Case\nmetadata:\n  name: str049\n",
        ),
        (
            "str050",
            resource("str050", json!("0o8")),
            "apiVersion: v1\ndata:\n  v: 0o8\nkind: Case\nmetadata:\n  name: str050\n",
        ),
        (
            "str051",
            resource("str051", json!("0b12")),
            "apiVersion: v1\ndata:\n  v: 0b12\nkind: Case\nmetadata:\n  name: str051\n",
        ),
        (
            "str052",
            resource("str052", json!("inf")),
            "apiVersion: v1\ndata:\n  v: inf\nkind: Case\nmetadata:\n  name: str052\n",
        ),
        (
            "str053",
            resource("str053", json!("NaN")),
            "apiVersion: v1\ndata:\n  v: NaN\nkind: Case\nmetadata:\n  name: str053\n",
        ),
        (
            "str054",
            resource("str054", json!("nULL")),
            "apiVersion: v1\ndata:\n  v: nULL\nkind: Case\nmetadata:\n  name: str054\n",
        ),
        (
            "str055",
            resource("str055", json!("tRUE")),
            "apiVersion: v1\ndata:\n  v: tRUE\nkind: Case\nmetadata:\n  name: str055\n",
        ),
        (
            "str056",
            resource("str056", json!("oN")),
            "apiVersion: v1\ndata:\n  v: oN\nkind: Case\nmetadata:\n  name: str056\n",
        ),
        (
            "str057",
            resource("str057", json!("_1")),
            "apiVersion: v1\ndata:\n  v: _1\nkind: Case\nmetadata:\n  name: str057\n",
        ),
        (
            "str058",
            resource("str058", json!("2021-02-30")),
            "apiVersion: v1\ndata:\n  v: 2021-02-30\nkind: Case\nmetadata:\n  name: str058\n",
        ),
        (
            "str059",
            resource("str059", json!("http://x.y/z?q=1#frag")),
            "apiVersion: v1\ndata:\n  v: http://x.y/z?q=1#frag\nkind: Case\nmetadata:\n  name: str059\n",
        ),
        (
            "str060",
            resource("str060", json!("a#b")),
            "apiVersion: v1\ndata:\n  v: a#b\nkind: Case\nmetadata:\n  name: str060\n",
        ),
        (
            "str061",
            resource("str061", json!("a]b")),
            "apiVersion: v1\ndata:\n  v: a]b\nkind: Case\nmetadata:\n  name: str061\n",
        ),
        (
            "str062",
            resource("str062", json!("a{b")),
            "apiVersion: v1\ndata:\n  v: a{b\nkind: Case\nmetadata:\n  name: str062\n",
        ),
        (
            "str063",
            resource("str063", json!("\\")),
            "apiVersion: v1\ndata:\n  v: \\\nkind: Case\nmetadata:\n  name: str063\n",
        ),
        (
            "str064",
            resource("str064", json!("a'b")),
            "apiVersion: v1\ndata:\n  v: a'b\nkind: Case\nmetadata:\n  name: str064\n",
        ),
        (
            "str065",
            resource("str065", json!("h\u{e9}llo w\u{f6}rld \u{2713}")),
            "apiVersion: v1\ndata:\n  v: h\u{e9}llo w\u{f6}rld \u{2713}\nkind: Case\nmetadata:\n  name: str065\n",
        ),
        (
            "str066",
            resource("str066", json!("\u{a0}")),
            "apiVersion: v1\ndata:\n  v: \u{a0}\nkind: Case\nmetadata:\n  name: str066\n",
        ),
        (
            "str067",
            resource("str067", json!("\u{ad}")),
            "apiVersion: v1\ndata:\n  v: \u{ad}\nkind: Case\nmetadata:\n  name: str067\n",
        ),
        (
            "str068",
            resource("str068", json!("x\u{a0}y")),
            "apiVersion: v1\ndata:\n  v: x\u{a0}y\nkind: Case\nmetadata:\n  name: str068\n",
        ),
        (
            "str069",
            resource("str069", json!("&a")),
            "apiVersion: v1\ndata:\n  v: '&a'\nkind: Case\nmetadata:\n  name: str069\n",
        ),
        (
            "str070",
            resource("str070", json!("*a")),
            "apiVersion: v1\ndata:\n  v: '*a'\nkind: Case\nmetadata:\n  name: str070\n",
        ),
        (
            "str071",
            resource("str071", json!("!t")),
            "apiVersion: v1\ndata:\n  v: '!t'\nkind: Case\nmetadata:\n  name: str071\n",
        ),
        (
            "str072",
            resource("str072", json!("@x")),
            "apiVersion: v1\ndata:\n  v: '@x'\nkind: Case\nmetadata:\n  name: str072\n",
        ),
        (
            "str073",
            resource("str073", json!("`x")),
            "apiVersion: v1\ndata:\n  v: '`x'\nkind: Case\nmetadata:\n  name: str073\n",
        ),
        (
            "str074",
            resource("str074", json!("%x")),
            "apiVersion: v1\ndata:\n  v: '%x'\nkind: Case\nmetadata:\n  name: str074\n",
        ),
        (
            "str075",
            resource("str075", json!("|x")),
            "apiVersion: v1\ndata:\n  v: '|x'\nkind: Case\nmetadata:\n  name: str075\n",
        ),
        (
            "str076",
            resource("str076", json!(">x")),
            "apiVersion: v1\ndata:\n  v: '>x'\nkind: Case\nmetadata:\n  name: str076\n",
        ),
        (
            "str077",
            resource("str077", json!("#x")),
            "apiVersion: v1\ndata:\n  v: '#x'\nkind: Case\nmetadata:\n  name: str077\n",
        ),
        (
            "str078",
            resource("str078", json!("a #x")),
            "apiVersion: v1\ndata:\n  v: 'a #x'\nkind: Case\nmetadata:\n  name: str078\n",
        ),
        (
            "str079",
            resource("str079", json!("- x")),
            "apiVersion: v1\ndata:\n  v: '- x'\nkind: Case\nmetadata:\n  name: str079\n",
        ),
        (
            "str080",
            resource("str080", json!("? x")),
            "apiVersion: v1\ndata:\n  v: '? x'\nkind: Case\nmetadata:\n  name: str080\n",
        ),
        (
            "str081",
            resource("str081", json!("a: b")),
            "apiVersion: v1\ndata:\n  v: 'a: b'\nkind: Case\nmetadata:\n  name: str081\n",
        ),
        (
            "str082",
            resource("str082", json!("a:")),
            "apiVersion: v1\ndata:\n  v: 'a:'\nkind: Case\nmetadata:\n  name: str082\n",
        ),
        (
            "str083",
            resource("str083", json!("'x")),
            "apiVersion: v1\ndata:\n  v: '''x'\nkind: Case\nmetadata:\n  name: str083\n",
        ),
        (
            "str084",
            resource("str084", json!("\"x")),
            "apiVersion: v1\ndata:\n  v: '\"x'\nkind: Case\nmetadata:\n  name: str084\n",
        ),
        (
            "str085",
            resource("str085", json!(" leading space")),
            "apiVersion: v1\ndata:\n  v: ' leading space'\nkind: Case\nmetadata:\n  name: str085\n",
        ),
        (
            "str086",
            resource("str086", json!("trailing space ")),
            "apiVersion: v1\ndata:\n  v: 'trailing space '\nkind: Case\nmetadata:\n  name: str086\n",
        ),
        (
            "str087",
            resource("str087", json!("   ")),
            "apiVersion: v1\ndata:\n  v: '   '\nkind: Case\nmetadata:\n  name: str087\n",
        ),
        (
            "str088",
            resource("str088", json!("-")),
            "apiVersion: v1\ndata:\n  v: '-'\nkind: Case\nmetadata:\n  name: str088\n",
        ),
        (
            "str089",
            resource("str089", json!(":")),
            "apiVersion: v1\ndata:\n  v: ':'\nkind: Case\nmetadata:\n  name: str089\n",
        ),
        (
            "str090",
            resource("str090", json!("?")),
            "apiVersion: v1\ndata:\n  v: '?'\nkind: Case\nmetadata:\n  name: str090\n",
        ),
        (
            "str091",
            resource("str091", json!("---")),
            "apiVersion: v1\ndata:\n  v: '---'\nkind: Case\nmetadata:\n  name: str091\n",
        ),
        (
            "str092",
            resource("str092", json!("...")),
            "apiVersion: v1\ndata:\n  v: '...'\nkind: Case\nmetadata:\n  name: str092\n",
        ),
        (
            "str093",
            resource("str093", json!("--- x")),
            "apiVersion: v1\ndata:\n  v: '--- x'\nkind: Case\nmetadata:\n  name: str093\n",
        ),
        (
            "str094",
            resource("str094", json!("{}")),
            "apiVersion: v1\ndata:\n  v: '{}'\nkind: Case\nmetadata:\n  name: str094\n",
        ),
        (
            "str095",
            resource("str095", json!("[]")),
            "apiVersion: v1\ndata:\n  v: '[]'\nkind: Case\nmetadata:\n  name: str095\n",
        ),
        (
            "str096",
            resource("str096", json!("a\tb")),
            "apiVersion: v1\ndata:\n  v: \"a\\tb\"\nkind: Case\nmetadata:\n  name: str096\n",
        ),
        (
            "str097",
            resource("str097", json!("\u{1f600}")),
            "apiVersion: v1\ndata:\n  v: \"\\U0001F600\"\nkind: Case\nmetadata:\n  name: str097\n",
        ),
        (
            "str098",
            resource("str098", json!("a\u{1f600}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\U0001F600b\"\nkind: Case\nmetadata:\n  name: str098\n",
        ),
        (
            "str099",
            resource("str099", json!("a\u{7}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\ab\"\nkind: Case\nmetadata:\n  name: str099\n",
        ),
        (
            "str100",
            resource("str100", json!("a\u{1}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\x01b\"\nkind: Case\nmetadata:\n  name: str100\n",
        ),
        (
            "str101",
            resource("str101", json!("a\rb")),
            "apiVersion: v1\ndata:\n  v: \"a\\rb\"\nkind: Case\nmetadata:\n  name: str101\n",
        ),
        (
            "str102",
            resource("str102", json!("\u{feff}x")),
            "apiVersion: v1\ndata:\n  v: \"\\uFEFF\\x78\"\nkind: Case\nmetadata:\n  name: str102\n",
        ),
        (
            "str103",
            resource("str103", json!("\u{feff}")),
            "apiVersion: v1\ndata:\n  v: \"\\uFEFF\"\nkind: Case\nmetadata:\n  name: str103\n",
        ),
        (
            "str104",
            resource("str104", json!("a\u{feff}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\uFEFFb\"\nkind: Case\nmetadata:\n  name: str104\n",
        ),
        (
            "str105",
            resource("str105", json!("\u{feff}a b")),
            "apiVersion: v1\ndata:\n  v: \"\\uFEFF\\x61\\x20\\x62\"\nkind: Case\nmetadata:\n  name: str105\n",
        ),
        (
            "str106",
            resource("str106", json!("a\u{2028}b")),
            "apiVersion: v1\ndata:\n  v: 'a\u{2028}    b'\nkind: Case\nmetadata:\n  name: str106\n",
        ),
        (
            "str107",
            resource("str107", json!("a\u{2029}b")),
            "apiVersion: v1\ndata:\n  v: 'a\u{2029}    b'\nkind: Case\nmetadata:\n  name: str107\n",
        ),
        (
            "str108",
            resource("str108", json!("\u{2028}")),
            "apiVersion: v1\ndata:\n  v: '\u{2028}'\nkind: Case\nmetadata:\n  name: str108\n",
        ),
        (
            "str109",
            resource("str109", json!("a\u{85}b")),
            "apiVersion: v1\ndata:\n  v: a b\nkind: Case\nmetadata:\n  name: str109\n",
        ),
        (
            "str110",
            resource("str110", json!("a \u{85} b")),
            "apiVersion: v1\ndata:\n  v: a b\nkind: Case\nmetadata:\n  name: str110\n",
        ),
        (
            "str111",
            resource("str111", json!("a\u{85}\u{85}b")),
            "apiVersion: v1\ndata:\n  v: |-\n    a\n    b\nkind: Case\nmetadata:\n  name: str111\n",
        ),
        (
            "str112",
            resource("str112", json!("\u{85}x")),
            "apiVersion: v1\ndata:\n  v: ' x'\nkind: Case\nmetadata:\n  name: str112\n",
        ),
        (
            "str113",
            resource("str113", json!("x\u{85}")),
            "apiVersion: v1\ndata:\n  v: 'x '\nkind: Case\nmetadata:\n  name: str113\n",
        ),
        (
            "str114",
            resource("str114", json!("a\u{85} \u{85}b")),
            "apiVersion: v1\ndata:\n  v: |-\n    a\n    b\nkind: Case\nmetadata:\n  name: str114\n",
        ),
        (
            "str115",
            resource("str115", json!("a\u{1b}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\eb\"\nkind: Case\nmetadata:\n  name: str115\n",
        ),
        (
            "str116",
            resource("str116", json!("a\u{0}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\0b\"\nkind: Case\nmetadata:\n  name: str116\n",
        ),
        (
            "str117",
            resource("str117", json!("a\u{b}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\vb\"\nkind: Case\nmetadata:\n  name: str117\n",
        ),
        (
            "str118",
            resource("str118", json!("a\u{c}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\fb\"\nkind: Case\nmetadata:\n  name: str118\n",
        ),
        (
            "str119",
            resource("str119", json!("a\u{8}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\bb\"\nkind: Case\nmetadata:\n  name: str119\n",
        ),
        (
            "str121",
            resource("str121", json!("\u{e000}")),
            "apiVersion: v1\ndata:\n  v: \u{e000}\nkind: Case\nmetadata:\n  name: str121\n",
        ),
        (
            "str122",
            resource("str122", json!("\u{fffd}")),
            "apiVersion: v1\ndata:\n  v: \u{fffd}\nkind: Case\nmetadata:\n  name: str122\n",
        ),
        (
            "str123",
            resource("str123", json!("a\"b")),
            "apiVersion: v1\ndata:\n  v: a\"b\nkind: Case\nmetadata:\n  name: str123\n",
        ),
        (
            "str124",
            resource("str124", json!("a\\b")),
            "apiVersion: v1\ndata:\n  v: a\\b\nkind: Case\nmetadata:\n  name: str124\n",
        ),
        (
            "str125",
            resource("str125", json!("2021-01-01T10:00:00Z")),
            "apiVersion: v1\ndata:\n  v: \"2021-01-01T10:00:00Z\"\nkind: Case\nmetadata:\n  name: str125\n",
        ),
        (
            "str126",
            resource("str126", json!("2021-01-01T10:00:00")),
            "apiVersion: v1\ndata:\n  v: 2021-01-01T10:00:00\nkind: Case\nmetadata:\n  name: str126\n",
        ),
        (
            "str127",
            resource("str127", json!("2001-12-14t21:59:43.10-05:00")),
            "apiVersion: v1\ndata:\n  v: \"2001-12-14t21:59:43.10-05:00\"\nkind: Case\nmetadata:\n  name: str127\n",
        ),
        (
            "str128",
            resource("str128", json!("2021-01-01 10:00:00Z")),
            "apiVersion: v1\ndata:\n  v: 2021-01-01 10:00:00Z\nkind: Case\nmetadata:\n  name: str128\n",
        ),
        (
            "str129",
            resource("str129", json!("2021-13-01")),
            "apiVersion: v1\ndata:\n  v: 2021-13-01\nkind: Case\nmetadata:\n  name: str129\n",
        ),
        (
            "str130",
            resource("str130", json!("2020-02-29")),
            "apiVersion: v1\ndata:\n  v: \"2020-02-29\"\nkind: Case\nmetadata:\n  name: str130\n",
        ),
        (
            "str131",
            resource("str131", json!("2021-02-29")),
            "apiVersion: v1\ndata:\n  v: 2021-02-29\nkind: Case\nmetadata:\n  name: str131\n",
        ),
        (
            "str132",
            resource("str132", json!("2021-01-01T10:00:00+25:00")),
            "apiVersion: v1\ndata:\n  v: 2021-01-01T10:00:00+25:00\nkind: Case\nmetadata:\n  name: str132\n",
        ),
        (
            "str133",
            resource("str133", json!("2021-01-01T24:00:00Z")),
            "apiVersion: v1\ndata:\n  v: 2021-01-01T24:00:00Z\nkind: Case\nmetadata:\n  name: str133\n",
        ),
        (
            "str134",
            resource("str134", json!("1e999")),
            "apiVersion: v1\ndata:\n  v: 1e999\nkind: Case\nmetadata:\n  name: str134\n",
        ),
        (
            "str135",
            resource("str135", json!("-0")),
            "apiVersion: v1\ndata:\n  v: \"-0\"\nkind: Case\nmetadata:\n  name: str135\n",
        ),
        (
            "str136",
            resource("str136", json!("0")),
            "apiVersion: v1\ndata:\n  v: \"0\"\nkind: Case\nmetadata:\n  name: str136\n",
        ),
        (
            "str137",
            resource("str137", json!("00")),
            "apiVersion: v1\ndata:\n  v: \"00\"\nkind: Case\nmetadata:\n  name: str137\n",
        ),
        (
            "str138",
            resource("str138", json!("-")),
            "apiVersion: v1\ndata:\n  v: '-'\nkind: Case\nmetadata:\n  name: str138\n",
        ),
        (
            "str139",
            resource("str139", json!("+0x1F")),
            "apiVersion: v1\ndata:\n  v: \"+0x1F\"\nkind: Case\nmetadata:\n  name: str139\n",
        ),
        (
            "str140",
            resource("str140", json!("-0x1F")),
            "apiVersion: v1\ndata:\n  v: \"-0x1F\"\nkind: Case\nmetadata:\n  name: str140\n",
        ),
        (
            "str141",
            resource("str141", json!("0B11")),
            "apiVersion: v1\ndata:\n  v: \"0B11\"\nkind: Case\nmetadata:\n  name: str141\n",
        ),
        (
            "str142",
            resource("str142", json!("1_")),
            "apiVersion: v1\ndata:\n  v: \"1_\"\nkind: Case\nmetadata:\n  name: str142\n",
        ),
        (
            "str143",
            resource("str143", json!("0_1")),
            "apiVersion: v1\ndata:\n  v: \"0_1\"\nkind: Case\nmetadata:\n  name: str143\n",
        ),
        (
            "str144",
            resource("str144", json!("9223372036854775808")),
            "apiVersion: v1\ndata:\n  v: \"9223372036854775808\"\nkind: Case\nmetadata:\n  name: str144\n",
        ),
        (
            "str145",
            resource("str145", json!("18446744073709551616")),
            "apiVersion: v1\ndata:\n  v: \"18446744073709551616\"\nkind: Case\nmetadata:\n  name: str145\n",
        ),
        (
            "str146",
            resource("str146", json!("-9223372036854775809")),
            "apiVersion: v1\ndata:\n  v: \"-9223372036854775809\"\nkind: Case\nmetadata:\n  name: str146\n",
        ),
        (
            "str147",
            resource("str147", json!(".5e3")),
            "apiVersion: v1\ndata:\n  v: \".5e3\"\nkind: Case\nmetadata:\n  name: str147\n",
        ),
        (
            "str148",
            resource("str148", json!("._5")),
            "apiVersion: v1\ndata:\n  v: ._5\nkind: Case\nmetadata:\n  name: str148\n",
        ),
        (
            "str149",
            resource("str149", json!("+.inf")),
            "apiVersion: v1\ndata:\n  v: \"+.inf\"\nkind: Case\nmetadata:\n  name: str149\n",
        ),
        (
            "str150",
            resource("str150", json!("-.Inf")),
            "apiVersion: v1\ndata:\n  v: \"-.Inf\"\nkind: Case\nmetadata:\n  name: str150\n",
        ),
        (
            "str151",
            resource("str151", json!("1:2:3.5")),
            "apiVersion: v1\ndata:\n  v: \"1:2:3.5\"\nkind: Case\nmetadata:\n  name: str151\n",
        ),
        (
            "str152",
            resource("str152", json!("+1:20")),
            "apiVersion: v1\ndata:\n  v: \"+1:20\"\nkind: Case\nmetadata:\n  name: str152\n",
        ),
        (
            "str153",
            resource("str153", json!("1:2_0")),
            "apiVersion: v1\ndata:\n  v: 1:2_0\nkind: Case\nmetadata:\n  name: str153\n",
        ),
        (
            "str154",
            resource("str154", json!("Yes")),
            "apiVersion: v1\ndata:\n  v: \"Yes\"\nkind: Case\nmetadata:\n  name: str154\n",
        ),
        (
            "str155",
            resource("str155", json!("YES")),
            "apiVersion: v1\ndata:\n  v: \"YES\"\nkind: Case\nmetadata:\n  name: str155\n",
        ),
        (
            "str156",
            resource("str156", json!("On")),
            "apiVersion: v1\ndata:\n  v: \"On\"\nkind: Case\nmetadata:\n  name: str156\n",
        ),
        (
            "str157",
            resource("str157", json!("Off")),
            "apiVersion: v1\ndata:\n  v: \"Off\"\nkind: Case\nmetadata:\n  name: str157\n",
        ),
        (
            "str158",
            resource("str158", json!("NO")),
            "apiVersion: v1\ndata:\n  v: \"NO\"\nkind: Case\nmetadata:\n  name: str158\n",
        ),
        (
            "str159",
            resource("str159", json!("No")),
            "apiVersion: v1\ndata:\n  v: \"No\"\nkind: Case\nmetadata:\n  name: str159\n",
        ),
        (
            "str160",
            resource("str160", json!("FALSE")),
            "apiVersion: v1\ndata:\n  v: \"FALSE\"\nkind: Case\nmetadata:\n  name: str160\n",
        ),
        (
            "str161",
            resource("str161", json!("False")),
            "apiVersion: v1\ndata:\n  v: \"False\"\nkind: Case\nmetadata:\n  name: str161\n",
        ),
        (
            "str162",
            resource("str162", json!("false")),
            "apiVersion: v1\ndata:\n  v: \"false\"\nkind: Case\nmetadata:\n  name: str162\n",
        ),
        (
            "str163",
            resource("str163", json!("NULL")),
            "apiVersion: v1\ndata:\n  v: \"NULL\"\nkind: Case\nmetadata:\n  name: str163\n",
        ),
        (
            "str164",
            resource("str164", json!("a - b")),
            "apiVersion: v1\ndata:\n  v: a - b\nkind: Case\nmetadata:\n  name: str164\n",
        ),
        (
            "str165",
            resource("str165", json!("a -b")),
            "apiVersion: v1\ndata:\n  v: a -b\nkind: Case\nmetadata:\n  name: str165\n",
        ),
        (
            "str166",
            resource("str166", json!("a: ")),
            "apiVersion: v1\ndata:\n  v: 'a: '\nkind: Case\nmetadata:\n  name: str166\n",
        ),
        (
            "str167",
            resource("str167", json!("a:\tb")),
            "apiVersion: v1\ndata:\n  v: \"a:\\tb\"\nkind: Case\nmetadata:\n  name: str167\n",
        ),
        (
            "str168",
            resource("str168", json!("a #")),
            "apiVersion: v1\ndata:\n  v: 'a #'\nkind: Case\nmetadata:\n  name: str168\n",
        ),
        (
            "str169",
            resource("str169", json!("#")),
            "apiVersion: v1\ndata:\n  v: '#'\nkind: Case\nmetadata:\n  name: str169\n",
        ),
        (
            "str170",
            resource("str170", json!("!")),
            "apiVersion: v1\ndata:\n  v: '!'\nkind: Case\nmetadata:\n  name: str170\n",
        ),
        (
            "str171",
            resource("str171", json!("a!")),
            "apiVersion: v1\ndata:\n  v: a!\nkind: Case\nmetadata:\n  name: str171\n",
        ),
        (
            "str172",
            resource("str172", json!("a?b")),
            "apiVersion: v1\ndata:\n  v: a?b\nkind: Case\nmetadata:\n  name: str172\n",
        ),
        (
            "str173",
            resource("str173", json!("a, b")),
            "apiVersion: v1\ndata:\n  v: a, b\nkind: Case\nmetadata:\n  name: str173\n",
        ),
        (
            "str174",
            resource("str174", json!("-1x")),
            "apiVersion: v1\ndata:\n  v: -1x\nkind: Case\nmetadata:\n  name: str174\n",
        ),
        (
            "str175",
            resource("str175", json!("--")),
            "apiVersion: v1\ndata:\n  v: --\nkind: Case\nmetadata:\n  name: str175\n",
        ),
        (
            "str176",
            resource("str176", json!("-- x")),
            "apiVersion: v1\ndata:\n  v: -- x\nkind: Case\nmetadata:\n  name: str176\n",
        ),
        (
            "str177",
            resource("str177", json!(".a")),
            "apiVersion: v1\ndata:\n  v: .a\nkind: Case\nmetadata:\n  name: str177\n",
        ),
        (
            "str178",
            resource("str178", json!("..")),
            "apiVersion: v1\ndata:\n  v: ..\nkind: Case\nmetadata:\n  name: str178\n",
        ),
        (
            "str179",
            resource("str179", json!("....")),
            "apiVersion: v1\ndata:\n  v: '....'\nkind: Case\nmetadata:\n  name: str179\n",
        ),
    ]);
}

#[test]
fn lit_cases() {
    assert_cases(vec![
        (
            "lit000",
            resource("lit000", json!("line1\nline2\n")),
            "apiVersion: v1\ndata:\n  v: |\n    line1\n    line2\nkind: Case\nmetadata:\n  name: lit000\n",
        ),
        (
            "lit001",
            resource("lit001", json!("line1\nline2")),
            "apiVersion: v1\ndata:\n  v: |-\n    line1\n    line2\nkind: Case\nmetadata:\n  name: lit001\n",
        ),
        (
            "lit002",
            resource("lit002", json!("line1\nline2\n\n")),
            "apiVersion: v1\ndata:\n  v: |+\n    line1\n    line2\n\nkind: Case\nmetadata:\n  name: lit002\n",
        ),
        (
            "lit003",
            resource("lit003", json!(" line1\nline2\n")),
            "apiVersion: v1\ndata:\n  v: |2\n     line1\n    line2\nkind: Case\nmetadata:\n  name: lit003\n",
        ),
        (
            "lit004",
            resource("lit004", json!("\nx\n")),
            "apiVersion: v1\ndata:\n  v: |2\n\n    x\nkind: Case\nmetadata:\n  name: lit004\n",
        ),
        (
            "lit005",
            resource("lit005", json!("\n")),
            "apiVersion: v1\ndata:\n  v: |2+\n\nkind: Case\nmetadata:\n  name: lit005\n",
        ),
        (
            "lit006",
            resource("lit006", json!("\n\n")),
            "apiVersion: v1\ndata:\n  v: |2+\n\n\nkind: Case\nmetadata:\n  name: lit006\n",
        ),
        (
            "lit007",
            resource("lit007", json!("a\n  b\n")),
            "apiVersion: v1\ndata:\n  v: |\n    a\n      b\nkind: Case\nmetadata:\n  name: lit007\n",
        ),
        (
            "lit008",
            resource("lit008", json!("x\n ")),
            "apiVersion: v1\ndata:\n  v: \"x\\n \"\nkind: Case\nmetadata:\n  name: lit008\n",
        ),
        (
            "lit009",
            resource("lit009", json!("line1 \nline2\n")),
            "apiVersion: v1\ndata:\n  v: \"line1 \\nline2\\n\"\nkind: Case\nmetadata:\n  name: lit009\n",
        ),
        (
            "lit010",
            resource("lit010", json!(" \n")),
            "apiVersion: v1\ndata:\n  v: \" \\n\"\nkind: Case\nmetadata:\n  name: lit010\n",
        ),
        (
            "lit011",
            resource("lit011", json!("line1\tx\nline2\n")),
            "apiVersion: v1\ndata:\n  v: \"line1\\tx\\nline2\\n\"\nkind: Case\nmetadata:\n  name: lit011\n",
        ),
        (
            "lit012",
            resource("lit012", json!("a\r\nb\r\n")),
            "apiVersion: v1\ndata:\n  v: \"a\\r\\nb\\r\\n\"\nkind: Case\nmetadata:\n  name: lit012\n",
        ),
        (
            "lit013",
            resource("lit013", json!("a\nb\u{2028}c\n")),
            "apiVersion: v1\ndata:\n  v: |\n    a\n    b\u{2028}    c\nkind: Case\nmetadata:\n  name: lit013\n",
        ),
        (
            "lit014",
            resource("lit014", json!("a\n\u{2028}")),
            "apiVersion: v1\ndata:\n  v: |+\n    a\n\u{2028}kind: Case\nmetadata:\n  name: lit014\n",
        ),
        (
            "lit015",
            resource("lit015", json!("a\n\nb")),
            "apiVersion: v1\ndata:\n  v: |-\n    a\n\n    b\nkind: Case\nmetadata:\n  name: lit015\n",
        ),
        (
            "lit016",
            resource("lit016", json!("a\n \nb\n")),
            "apiVersion: v1\ndata:\n  v: \"a\\n \\nb\\n\"\nkind: Case\nmetadata:\n  name: lit016\n",
        ),
        (
            "lit017",
            resource("lit017", json!("a\n\u{1f600}\n")),
            "apiVersion: v1\ndata:\n  v: \"a\\n\\U0001F600\\n\"\nkind: Case\nmetadata:\n  name: lit017\n",
        ),
        (
            "lit018",
            resource("lit018", json!("\u{feff}a\nb\n")),
            "apiVersion: v1\ndata:\n  v: \"\\uFEFF\\x61\\n\\x62\\n\"\nkind: Case\nmetadata:\n  name: lit018\n",
        ),
        (
            "lit019",
            resource("lit019", json!("a\n\n\n")),
            "apiVersion: v1\ndata:\n  v: |+\n    a\n\n\nkind: Case\nmetadata:\n  name: lit019\n",
        ),
        (
            "lit020",
            resource("lit020", json!("  two\nspaces\n")),
            "apiVersion: v1\ndata:\n  v: |2\n      two\n    spaces\nkind: Case\nmetadata:\n  name: lit020\n",
        ),
        (
            "lit021",
            resource("lit021", json!("#a\nb\n")),
            "apiVersion: v1\ndata:\n  v: |\n    #a\n    b\nkind: Case\nmetadata:\n  name: lit021\n",
        ),
        (
            "lit022",
            resource("lit022", json!("- a\nb")),
            "apiVersion: v1\ndata:\n  v: |-\n    - a\n    b\nkind: Case\nmetadata:\n  name: lit022\n",
        ),
        (
            "lit023",
            resource("lit023", json!("a\nb ")),
            "apiVersion: v1\ndata:\n  v: \"a\\nb \"\nkind: Case\nmetadata:\n  name: lit023\n",
        ),
        (
            "lit024",
            resource("lit024", json!("\tx\ny\n")),
            "apiVersion: v1\ndata:\n  v: \"\\tx\\ny\\n\"\nkind: Case\nmetadata:\n  name: lit024\n",
        ),
        (
            "lit025",
            resource("lit025", json!("x\n\n y\n")),
            "apiVersion: v1\ndata:\n  v: |\n    x\n\n     y\nkind: Case\nmetadata:\n  name: lit025\n",
        ),
        (
            "lit026",
            resource("lit026", json!("a\n\u{85}b\n")),
            "apiVersion: v1\ndata:\n  v: |\n    a\n     b\nkind: Case\nmetadata:\n  name: lit026\n",
        ),
        (
            "lit027",
            resource("lit027", json!("key: value\nother: x\n")),
            "apiVersion: v1\ndata:\n  v: |\n    key: value\n    other: x\nkind: Case\nmetadata:\n  name: lit027\n",
        ),
        (
            "lit028",
            resource("lit028", json!("this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter\nshort\n")),
            "apiVersion: v1\ndata:\n  v: |\n    this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter\n    short\nkind: Case\nmetadata:\n  name: lit028\n",
        ),
        (
            "lit029",
            resource("lit029", json!("a\u{2029}\nb\n")),
            "apiVersion: v1\ndata:\n  v: |\n    a\u{2029}\n    b\nkind: Case\nmetadata:\n  name: lit029\n",
        ),
    ]);
}

#[test]
fn fold_cases() {
    assert_cases(vec![
        (
            "fold_plain",
            resource("fold-plain", json!("this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter")),
            "apiVersion: v1\ndata:\n  v: this is a very long string that is definitely more than eighty characters wide,\n    to test the folding of plain scalars in the emitter\nkind: Case\nmetadata:\n  name: fold-plain\n",
        ),
        (
            "fold_single",
            resource("fold-single", json!("#this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter")),
            "apiVersion: v1\ndata:\n  v: '#this is a very long string that is definitely more than eighty characters wide,\n    to test the folding of plain scalars in the emitter'\nkind: Case\nmetadata:\n  name: fold-single\n",
        ),
        (
            "fold_double",
            resource("fold-double", json!("tab\there and a very long string that goes on and on and on and on and on and on and on and on and on forever")),
            "apiVersion: v1\ndata:\n  v: \"tab\\there and a very long string that goes on and on and on and on and on and\n    on and on and on and on forever\"\nkind: Case\nmetadata:\n  name: fold-double\n",
        ),
        (
            "fold_double2",
            resource("fold-double2", json!("tab\there and a very long string that goes on and on and on and on and on  and  on and on and on and on forever")),
            "apiVersion: v1\ndata:\n  v: \"tab\\there and a very long string that goes on and on and on and on and on  and\n    \\ on and on and on and on forever\"\nkind: Case\nmetadata:\n  name: fold-double2\n",
        ),
        (
            "fold_double3",
            resource("fold-double3", json!("x\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  b c d e f g")),
            "apiVersion: v1\ndata:\n  v: \"x\\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    \\ b c d e f g\"\nkind: Case\nmetadata:\n  name: fold-double3\n",
        ),
        (
            "fold_double4",
            resource("fold-double4", json!("x\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbb")),
            "apiVersion: v1\ndata:\n  v: \"x\\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    bbbbbbbbbb\"\nkind: Case\nmetadata:\n  name: fold-double4\n",
        ),
        (
            "fold_nospace",
            resource("fold-nospace", json!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")),
            "apiVersion: v1\ndata:\n  v: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nkind: Case\nmetadata:\n  name: fold-nospace\n",
        ),
        (
            "fold_spaces",
            resource("fold-spaces", json!("word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word ")),
            "apiVersion: v1\ndata:\n  v: 'word word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word '\nkind: Case\nmetadata:\n  name: fold-spaces\n",
        ),
        (
            "fold_double_spaces",
            resource("fold-double-spaces", json!("a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  ")),
            "apiVersion: v1\ndata:\n  v: 'a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  a  '\nkind: Case\nmetadata:\n  name: fold-double-spaces\n",
        ),
        (
            "fold_seq",
            resource("fold-seq", json!(["a very long string inside a sequence which should wrap at the eighty column limit right about here ok"])),
            "apiVersion: v1\ndata:\n  v:\n  - a very long string inside a sequence which should wrap at the eighty column limit\n    right about here ok\nkind: Case\nmetadata:\n  name: fold-seq\n",
        ),
        (
            "fold_nested_seq",
            resource("fold-nested-seq", json!([["nested a very long string inside a sequence which should wrap at the eighty columns limit here"]])),
            "apiVersion: v1\ndata:\n  v:\n  - - nested a very long string inside a sequence which should wrap at the eighty\n      columns limit here\nkind: Case\nmetadata:\n  name: fold-nested-seq\n",
        ),
        (
            "fold_deep",
            resource("fold-deep", json!({"a": {"b": {"c": {"d": "this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter"}}}})),
            "apiVersion: v1\ndata:\n  v:\n    a:\n      b:\n        c:\n          d: this is a very long string that is definitely more than eighty characters\n            wide, to test the folding of plain scalars in the emitter\nkind: Case\nmetadata:\n  name: fold-deep\n",
        ),
        (
            "fold_unicode",
            resource("fold-unicode", json!("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} \u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc} zz")),
            "apiVersion: v1\ndata:\n  v: \u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} \u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\n    zz\nkind: Case\nmetadata:\n  name: fold-unicode\n",
        ),
        (
            "fold_unicode2",
            resource("fold-unicode2", json!("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} b c")),
            "apiVersion: v1\ndata:\n  v: \u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\n    b c\nkind: Case\nmetadata:\n  name: fold-unicode2\n",
        ),
        (
            "fold_single_end",
            resource("fold-single-end", json!("#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ")),
            "apiVersion: v1\ndata:\n  v: '#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa '\nkind: Case\nmetadata:\n  name: fold-single-end\n",
        ),
        (
            "fold_single_end2",
            resource("fold-single-end2", json!("#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b")),
            "apiVersion: v1\ndata:\n  v: '#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    b'\nkind: Case\nmetadata:\n  name: fold-single-end2\n",
        ),
        (
            "fold_single_lead",
            resource("fold-single-lead", json!(" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b")),
            "apiVersion: v1\ndata:\n  v: ' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    b'\nkind: Case\nmetadata:\n  name: fold-single-lead\n",
        ),
        (
            "fold_plain_multi_space",
            resource("fold-plain-multi-space", json!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  b")),
            "apiVersion: v1\ndata:\n  v: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  b\nkind: Case\nmetadata:\n  name: fold-plain-multi-space\n",
        ),
        (
            "fold_plain_exact80",
            resource("fold-plain-exact80", json!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c d e")),
            "apiVersion: v1\ndata:\n  v: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c\n    d e\nkind: Case\nmetadata:\n  name: fold-plain-exact80\n",
        ),
        (
            "fold_map_in_seq",
            resource("fold-map-in-seq", json!([{"name": "this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter", "value": "x"}])),
            "apiVersion: v1\ndata:\n  v:\n  - name: this is a very long string that is definitely more than eighty characters\n      wide, to test the folding of plain scalars in the emitter\n    value: x\nkind: Case\nmetadata:\n  name: fold-map-in-seq\n",
        ),
        (
            "fold_emoji",
            resource("fold-emoji", json!("\u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} \u{1f600} ")),
            "apiVersion: v1\ndata:\n  v: \"\\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600 \\U0001F600\n    \\U0001F600 \\U0001F600 \\U0001F600 \"\nkind: Case\nmetadata:\n  name: fold-emoji\n",
        ),
        (
            "fold_bom",
            resource("fold-bom", json!("\u{feff}a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a ")),
            "apiVersion: v1\ndata:\n  v: \"\\uFEFF\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\\x61\\x20\"\nkind: Case\nmetadata:\n  name: fold-bom\n",
        ),
    ]);
}

#[test]
fn key_cases() {
    assert_cases(vec![
        (
            "key_long129",
            resource("key-long129", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : v\nkind: Case\nmetadata:\n  name: key-long129\n",
        ),
        (
            "key_long128",
            resource("key-long128", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: v\nkind: Case\nmetadata:\n  name: key-long128\n",
        ),
        (
            "key_long_words",
            resource("key-long-words", json!({"word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? word word word word word word word word word word word word word word word word\n      word word word word word word word word word word word word word word\n    : v\nkind: Case\nmetadata:\n  name: key-long-words\n",
        ),
        (
            "key_multiline",
            resource("key-multiline", json!({"a\nb": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? |-\n      a\n      b\n    : v\nkind: Case\nmetadata:\n  name: key-multiline\n",
        ),
        (
            "key_multiline_trailing",
            resource("key-multiline-trailing", json!({"a\nb\n": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? |\n      a\n      b\n    : v\nkind: Case\nmetadata:\n  name: key-multiline-trailing\n",
        ),
        (
            "key_ls",
            resource("key-ls", json!({"a\u{2028}b": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? 'a\u{2028}      b'\n    : v\nkind: Case\nmetadata:\n  name: key-ls\n",
        ),
        (
            "key_specials",
            resource("key-specials", json!({"y": 1_i64, "on": 2_i64, "n": 3_i64, "1": 4_i64, "": 5_i64, "a: b": 6_i64, "- x": 7_i64, "yes": 8_i64, "~": 9_i64, "#c": 10_i64})),
            "apiVersion: v1\ndata:\n  v:\n    \"\": 5\n    '#c': 10\n    '- x': 7\n    \"~\": 9\n    \"1\": 4\n    'a: b': 6\n    \"n\": 3\n    \"on\": 2\n    \"y\": 1\n    \"yes\": 8\nkind: Case\nmetadata:\n  name: key-specials\n",
        ),
        (
            "key_tab",
            resource("key-tab", json!({"a\tb": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    \"a\\tb\": 1\nkind: Case\nmetadata:\n  name: key-tab\n",
        ),
        (
            "key_long_map",
            resource("key-long-map", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": {"a": 1_i64}})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : a: 1\nkind: Case\nmetadata:\n  name: key-long-map\n",
        ),
        (
            "key_long_seq",
            resource("key-long-seq", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": [1_i64, 2_i64]})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : - 1\n      - 2\nkind: Case\nmetadata:\n  name: key-long-seq\n",
        ),
        (
            "key_long_empty",
            resource("key-long-empty", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": {}})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : {}\nkind: Case\nmetadata:\n  name: key-long-empty\n",
        ),
        (
            "key_long_null",
            resource("key-long-null", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": null})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : null\nkind: Case\nmetadata:\n  name: key-long-null\n",
        ),
        (
            "key_multiline_map",
            resource("key-multiline-map", json!({"a\nb": {"c": "d"}})),
            "apiVersion: v1\ndata:\n  v:\n    ? |-\n      a\n      b\n    : c: d\nkind: Case\nmetadata:\n  name: key-multiline-map\n",
        ),
        (
            "key_emoji",
            resource("key-emoji", json!({"\u{1f600}": "x"})),
            "apiVersion: v1\ndata:\n  v:\n    \"\\U0001F600\": x\nkind: Case\nmetadata:\n  name: key-emoji\n",
        ),
        (
            "key_long_quoted",
            resource("key-long-quoted", json!({"#kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "v"})),
            "apiVersion: v1\ndata:\n  v:\n    ? '#kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'\n    : v\nkind: Case\nmetadata:\n  name: key-long-quoted\n",
        ),
        (
            "key_long_literal_value",
            resource("key-long-literal-value", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "a\nb\n"})),
            "apiVersion: v1\ndata:\n  v:\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : |\n      a\n      b\nkind: Case\nmetadata:\n  name: key-long-literal-value\n",
        ),
    ]);
}

#[test]
fn sort_cases() {
    assert_cases(vec![
        (
            "sort1",
            resource("sort1", json!({"_under": 1_i64, "Zeta": 1_i64, "aaa": 1_i64, "apiVersion": 1_i64, "f1": 1_i64, "f2": 1_i64, "f10": 1_i64, "f11": 1_i64, "a1": 1_i64, "a01": 1_i64, "a001": 1_i64, "0a": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    _under: 1\n    0a: 1\n    Zeta: 1\n    a1: 1\n    a01: 1\n    a001: 1\n    aaa: 1\n    apiVersion: 1\n    f1: 1\n    f2: 1\n    f10: 1\n    f11: 1\nkind: Case\nmetadata:\n  name: sort1\n",
        ),
        (
            "sort2",
            resource("sort2", json!({"s_2021": 1_i64, "s_True": 1_i64, "s_Y": 1_i64, "s_amp": 1_i64, "x10y": 1_i64, "x9y": 1_i64, "x010": 1_i64, "x10": 1_i64, "x1": 1_i64, "x01": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    s_2021: 1\n    s_True: 1\n    s_Y: 1\n    s_amp: 1\n    x1: 1\n    x01: 1\n    x9y: 1\n    x10: 1\n    x10y: 1\n    x010: 1\nkind: Case\nmetadata:\n  name: sort2\n",
        ),
        (
            "sort3",
            resource("sort3", json!({"\u{e9}": 1_i64, "e": 1_i64, "z": 1_i64, "\u{c9}": 1_i64, "1": 1_i64, "-": 1_i64, "_": 1_i64, ".": 1_i64, "~": 1_i64, "A": 1_i64, "a": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    '-': 1\n    .: 1\n    _: 1\n    \"~\": 1\n    \"1\": 1\n    A: 1\n    a: 1\n    e: 1\n    z: 1\n    \u{c9}: 1\n    \u{e9}: 1\nkind: Case\nmetadata:\n  name: sort3\n",
        ),
        (
            "sort4",
            resource("sort4", json!({"item0": 1_i64, "item1": 1_i64, "item2": 1_i64, "item3": 1_i64, "item4": 1_i64, "item5": 1_i64, "item6": 1_i64, "item7": 1_i64, "item8": 1_i64, "item9": 1_i64, "item10": 1_i64, "item11": 1_i64, "item12": 1_i64, "item13": 1_i64, "item14": 1_i64, "item15": 1_i64, "item16": 1_i64, "item17": 1_i64, "item18": 1_i64, "item19": 1_i64, "item20": 1_i64, "item21": 1_i64, "item22": 1_i64, "item23": 1_i64, "item24": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    item0: 1\n    item1: 1\n    item2: 1\n    item3: 1\n    item4: 1\n    item5: 1\n    item6: 1\n    item7: 1\n    item8: 1\n    item9: 1\n    item10: 1\n    item11: 1\n    item12: 1\n    item13: 1\n    item14: 1\n    item15: 1\n    item16: 1\n    item17: 1\n    item18: 1\n    item19: 1\n    item20: 1\n    item21: 1\n    item22: 1\n    item23: 1\n    item24: 1\nkind: Case\nmetadata:\n  name: sort4\n",
        ),
        (
            "sort5",
            resource("sort5", json!({"a0": 1_i64, "a00": 1_i64, "a000": 1_i64, "a10": 1_i64, "a100": 1_i64, "a09": 1_i64, "a1": 1_i64, "a01": 1_i64, "b": 1_i64, "a": 1_i64, "aa": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    a: 1\n    a0: 1\n    a00: 1\n    a000: 1\n    a1: 1\n    a01: 1\n    a09: 1\n    a10: 1\n    a100: 1\n    aa: 1\n    b: 1\nkind: Case\nmetadata:\n  name: sort5\n",
        ),
        (
            "sort6",
            resource("sort6", json!({"x\u{661}": 1_i64, "x1": 1_i64, "x\u{662}": 1_i64, "x2": 1_i64, "xa": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    x1: 1\n    x2: 1\n    x\u{661}: 1\n    x\u{662}: 1\n    xa: 1\nkind: Case\nmetadata:\n  name: sort6\n",
        ),
        (
            "sort7",
            resource("sort7", json!({"k100": 1_i64, "k99": 1_i64, "k98": 1_i64, "k97": 1_i64, "k96": 1_i64, "k95": 1_i64, "k94": 1_i64, "k93": 1_i64, "k92": 1_i64, "k91": 1_i64, "k90": 1_i64, "k89": 1_i64, "k88": 1_i64, "k87": 1_i64, "k86": 1_i64, "k00": 1_i64, "k01": 1_i64, "k02": 1_i64, "k03": 1_i64, "k04": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    k00: 1\n    k01: 1\n    k02: 1\n    k03: 1\n    k04: 1\n    k86: 1\n    k87: 1\n    k88: 1\n    k89: 1\n    k90: 1\n    k91: 1\n    k92: 1\n    k93: 1\n    k94: 1\n    k95: 1\n    k96: 1\n    k97: 1\n    k98: 1\n    k99: 1\n    k100: 1\nkind: Case\nmetadata:\n  name: sort7\n",
        ),
        (
            "sort_unicode",
            resource("sort-unicode", json!({"\u{e4}1": 1_i64, "a1": 1_i64, "\u{df}": 1_i64, "\u{3a9}": 1_i64, "\u{3c9}": 1_i64, "a\u{b2}": 1_i64, "a2": 1_i64, "x\u{bd}": 1_i64, "x1": 1_i64, "\u{65e5}\u{672c}": 1_i64, "\u{672c}": 1_i64, "\u{2177}": 1_i64, "x": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    \u{2177}: 1\n    a\u{b2}: 1\n    a1: 1\n    a2: 1\n    x: 1\n    x\u{bd}: 1\n    x1: 1\n    \u{df}: 1\n    \u{e4}1: 1\n    \u{3a9}: 1\n    \u{3c9}: 1\n    \u{65e5}\u{672c}: 1\n    \u{672c}: 1\nkind: Case\nmetadata:\n  name: sort-unicode\n",
        ),
        (
            "sort_zero_seed",
            resource("sort-zero-seed", json!({"a10b": 1_i64, "a100": 1_i64, "a1000": 1_i64, "a10": 1_i64, "a1001": 1_i64, "v1.10": 1_i64, "v1.9": 1_i64, "v1.09": 1_i64, "v01.1": 1_i64, "10": 1_i64, "9": 1_i64, "010": 1_i64, "009": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    \"9\": 1\n    \"009\": 1\n    \"10\": 1\n    \"010\": 1\n    a10: 1\n    a100: 1\n    a1000: 1\n    a1001: 1\n    a10b: 1\n    v1.9: 1\n    v1.09: 1\n    v1.10: 1\n    v01.1: 1\nkind: Case\nmetadata:\n  name: sort-zero-seed\n",
        ),
    ]);
}

#[test]
fn structure_cases() {
    assert_cases(vec![
        (
            "empty_map",
            resource("empty-map", json!({})),
            "apiVersion: v1\ndata:\n  v: {}\nkind: Case\nmetadata:\n  name: empty-map\n",
        ),
        (
            "empty_list",
            resource("empty-list", json!([])),
            "apiVersion: v1\ndata:\n  v: []\nkind: Case\nmetadata:\n  name: empty-list\n",
        ),
        (
            "null",
            resource("null", json!(null)),
            "apiVersion: v1\ndata:\n  v: null\nkind: Case\nmetadata:\n  name: \"null\"\n",
        ),
        (
            "nested_lists",
            resource("nested-lists", json!([["x", "y"], [["z"]], []])),
            "apiVersion: v1\ndata:\n  v:\n  - - x\n    - \"y\"\n  - - - z\n  - []\nkind: Case\nmetadata:\n  name: nested-lists\n",
        ),
        (
            "map_in_seq",
            resource("map-in-seq", json!([{"name": "one", "value": 1_i64}, {}, {"a": [1_i64, {"b": 2_i64}]}])),
            "apiVersion: v1\ndata:\n  v:\n  - name: one\n    value: 1\n  - {}\n  - a:\n    - 1\n    - b: 2\nkind: Case\nmetadata:\n  name: map-in-seq\n",
        ),
        (
            "seq_in_map_in_seq",
            resource("seq-in-map-in-seq", json!([{"a": ["x", "y"]}])),
            "apiVersion: v1\ndata:\n  v:\n  - a:\n    - x\n    - \"y\"\nkind: Case\nmetadata:\n  name: seq-in-map-in-seq\n",
        ),
        (
            "lists_of_empty",
            resource("lists-of-empty", json!([{}, [], null, "", true, false])),
            "apiVersion: v1\ndata:\n  v:\n  - {}\n  - []\n  - null\n  - \"\"\n  - true\n  - false\nkind: Case\nmetadata:\n  name: lists-of-empty\n",
        ),
        (
            "literal_in_seq",
            resource("literal-in-seq", json!(["a\nb\n", [" x\ny"]])),
            "apiVersion: v1\ndata:\n  v:\n  - |\n    a\n    b\n  - - |2-\n       x\n      y\nkind: Case\nmetadata:\n  name: literal-in-seq\n",
        ),
        (
            "literal_in_map_in_seq",
            resource("literal-in-map-in-seq", json!([{"k": "a\nb\n\n", "z": 1_i64}])),
            "apiVersion: v1\ndata:\n  v:\n  - k: |+\n      a\n      b\n\n    z: 1\nkind: Case\nmetadata:\n  name: literal-in-map-in-seq\n",
        ),
        (
            "bools",
            resource("bools", json!({"t": true, "f": false})),
            "apiVersion: v1\ndata:\n  v:\n    f: false\n    t: true\nkind: Case\nmetadata:\n  name: bools\n",
        ),
        (
            "ann_empty",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "ann-empty", "annotations": {}, "labels": {}}}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  labels: {}\n  name: ann-empty\n",
        ),
        (
            "ann_null",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "ann-null", "annotations": null, "labels": null}}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  labels: null\n  name: ann-null\n",
        ),
        (
            "ann_nested",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "ann-nested"}, "spec": {"metadata": {"annotations": {}}}}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: ann-nested\nspec:\n  metadata:\n    annotations: {}\n",
        ),
        (
            "ann_kept",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "ann-kept", "annotations": {"a": "b"}}}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  annotations:\n    a: b\n  name: ann-kept\n",
        ),
        (
            "deployment",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"replicas": 3_i64, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80_i64, "protocol": "TCP"}], "args": ["--port=80", "-v", "yes"], "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "true"}], "command": ["sh", "-c", "echo hello\nexit 0\n"], "resources": {"limits": {"cpu": "500m", "memory": 0.5_f64}}}]}}}}),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: web\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - args:\n        - --port=80\n        - -v\n        - \"yes\"\n        command:\n        - sh\n        - -c\n        - |\n          echo hello\n          exit 0\n        env:\n        - name: A\n          value: \"1\"\n        - name: B\n          value: \"true\"\n        image: nginx:1.25\n        name: web\n        ports:\n        - containerPort: 80\n          protocol: TCP\n        resources:\n          limits:\n            cpu: 500m\n            memory: 0.5\n",
        ),
        (
            "last_keep",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "last-keep"}, "zzz": "x\n\n"}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: last-keep\nzzz: |+\n  x\n\n",
        ),
        (
            "last_keep2",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "last-keep2"}, "zzz": "\n"}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: last-keep2\nzzz: |2+\n\n",
        ),
        (
            "last_strip",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "last-strip"}, "zzz": ["x\ny"]}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: last-strip\nzzz:\n- |-\n  x\n  y\n",
        ),
        (
            "last_empty_map",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "last-empty"}, "zzz": {}}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: last-empty\nzzz: {}\n",
        ),
        (
            "last_long",
            json!({"apiVersion": "v1", "kind": "Case", "metadata": {"name": "last-long"}, "zzz": "this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter"}),
            "apiVersion: v1\nkind: Case\nmetadata:\n  name: last-long\nzzz: this is a very long string that is definitely more than eighty characters wide,\n  to test the folding of plain scalars in the emitter\n",
        ),
        (
            "complex_key_literal_value",
            resource("complex-key-literal-value", json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "a\nb\n", "a\nb": "c\nd\n", "x\ny": ["a", {"b": "c"}]})),
            "apiVersion: v1\ndata:\n  v:\n    ? |-\n      a\n      b\n    : |\n      c\n      d\n    ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : |\n      a\n      b\n    ? |-\n      x\n      y\n    : - a\n      - b: c\nkind: Case\nmetadata:\n  name: complex-key-literal-value\n",
        ),
        (
            "complex_key_nested",
            resource("complex-key-nested", json!([{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": {"x": [1_i64, 2_i64]}}])),
            "apiVersion: v1\ndata:\n  v:\n  - ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n    : x:\n      - 1\n      - 2\nkind: Case\nmetadata:\n  name: complex-key-nested\n",
        ),
        (
            "ints",
            resource("ints", json!({"a": -5_i64, "b": 8080_i64, "c": 0_i64, "d": 9223372036854775807_i64, "e": -9223372036854775808_i64})),
            "apiVersion: v1\ndata:\n  v:\n    a: -5\n    b: 8080\n    c: 0\n    d: 9223372036854775807\n    e: -9223372036854775808\nkind: Case\nmetadata:\n  name: ints\n",
        ),
        (
            "seq_of_seq_of_map",
            resource("seq-of-seq-of-map", json!([[{"a": 1_i64, "b": [2_i64]}]])),
            "apiVersion: v1\ndata:\n  v:\n  - - a: 1\n      b:\n      - 2\nkind: Case\nmetadata:\n  name: seq-of-seq-of-map\n",
        ),
        (
            "folded_key_in_seq",
            resource("folded-key-in-seq", json!([{"w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w ": 1_i64}])),
            "apiVersion: v1\ndata:\n  v:\n  - ? 'w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w '\n    : 1\nkind: Case\nmetadata:\n  name: folded-key-in-seq\n",
        ),
        (
            "double_fold_key",
            resource("double-fold-key", json!({"\tw w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w ": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    ? \"\\tw w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w \"\n    : 1\nkind: Case\nmetadata:\n  name: double-fold-key\n",
        ),
        (
            "single_fold_key",
            resource("single-fold-key", json!({"#w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w ": 1_i64})),
            "apiVersion: v1\ndata:\n  v:\n    ? '#w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w '\n    : 1\nkind: Case\nmetadata:\n  name: single-fold-key\n",
        ),
        (
            "empty_key_nested",
            resource("empty-key-nested", json!([{"": ""}])),
            "apiVersion: v1\ndata:\n  v:\n  - \"\": \"\"\nkind: Case\nmetadata:\n  name: empty-key-nested\n",
        ),
        (
            "quote_only",
            resource("quote-only", json!(["'", "\"", "''", "\\\"", "'a'"])),
            "apiVersion: v1\ndata:\n  v:\n  - ''''\n  - '\"'\n  - ''''''\n  - \\\"\n  - '''a'''\nkind: Case\nmetadata:\n  name: quote-only\n",
        ),
        (
            "deep_map",
            resource("deep-map", parse(r##"{"k44": {"k43": {"k42": {"k41": {"k40": {"k39": {"k38": {"k37": {"k36": {"k35": {"k34": {"k33": {"k32": {"k31": {"k30": {"k29": {"k28": {"k27": {"k26": {"k25": {"k24": {"k23": {"k22": {"k21": {"k20": {"k19": {"k18": {"k17": {"k16": {"k15": {"k14": {"k13": {"k12": {"k11": {"k10": {"k9": {"k8": {"k7": {"k6": {"k5": {"k4": {"k3": {"k2": {"k1": {"k0": "a b c d"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"##)),
            "apiVersion: v1\ndata:\n  v:\n    k44:\n      k43:\n        k42:\n          k41:\n            k40:\n              k39:\n                k38:\n                  k37:\n                    k36:\n                      k35:\n                        k34:\n                          k33:\n                            k32:\n                              k31:\n                                k30:\n                                  k29:\n                                    k28:\n                                      k27:\n                                        k26:\n                                          k25:\n                                            k24:\n                                              k23:\n                                                k22:\n                                                  k21:\n                                                    k20:\n                                                      k19:\n                                                        k18:\n                                                          k17:\n                                                            k16:\n                                                              k15:\n                                                                k14:\n                                                                  k13:\n                                                                    k12:\n                                                                      k11:\n                                                                        k10:\n                                                                          k9:\n                                                                            k8:\n                                                                              k7:\n                                                                                k6:\n                                                                                  k5:\n                                                                                    k4:\n                                                                                      k3:\n                                                                                        k2:\n                                                                                          k1:\n                                                                                            k0: a\n                                                                                              b\n                                                                                              c\n                                                                                              d\nkind: Case\nmetadata:\n  name: deep-map\n",
        ),
        (
            "deep_map_long",
            resource("deep-map-long", parse(r##"{"k44": {"k43": {"k42": {"k41": {"k40": {"k39": {"k38": {"k37": {"k36": {"k35": {"k34": {"k33": {"k32": {"k31": {"k30": {"k29": {"k28": {"k27": {"k26": {"k25": {"k24": {"k23": {"k22": {"k21": {"k20": {"k19": {"k18": {"k17": {"k16": {"k15": {"k14": {"k13": {"k12": {"k11": {"k10": {"k9": {"k8": {"k7": {"k6": {"k5": {"k4": {"k3": {"k2": {"k1": {"k0": "this is a very long string that is definitely more than eighty characters wide, to test the folding of plain scalars in the emitter"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"##)),
            "apiVersion: v1\ndata:\n  v:\n    k44:\n      k43:\n        k42:\n          k41:\n            k40:\n              k39:\n                k38:\n                  k37:\n                    k36:\n                      k35:\n                        k34:\n                          k33:\n                            k32:\n                              k31:\n                                k30:\n                                  k29:\n                                    k28:\n                                      k27:\n                                        k26:\n                                          k25:\n                                            k24:\n                                              k23:\n                                                k22:\n                                                  k21:\n                                                    k20:\n                                                      k19:\n                                                        k18:\n                                                          k17:\n                                                            k16:\n                                                              k15:\n                                                                k14:\n                                                                  k13:\n                                                                    k12:\n                                                                      k11:\n                                                                        k10:\n                                                                          k9:\n                                                                            k8:\n                                                                              k7:\n                                                                                k6:\n                                                                                  k5:\n                                                                                    k4:\n                                                                                      k3:\n                                                                                        k2:\n                                                                                          k1:\n                                                                                            k0: this\n                                                                                              is\n                                                                                              a\n                                                                                              very\n                                                                                              long\n                                                                                              string\n                                                                                              that\n                                                                                              is\n                                                                                              definitely\n                                                                                              more\n                                                                                              than\n                                                                                              eighty\n                                                                                              characters\n                                                                                              wide,\n                                                                                              to\n                                                                                              test\n                                                                                              the\n                                                                                              folding\n                                                                                              of\n                                                                                              plain\n                                                                                              scalars\n                                                                                              in\n                                                                                              the\n                                                                                              emitter\nkind: Case\nmetadata:\n  name: deep-map-long\n",
        ),
        (
            "deep_seq",
            resource("deep-seq", parse(r##"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["a b c d"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"##)),
            "apiVersion: v1\ndata:\n  v:\n  - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - a\n                                                                                            b\n                                                                                            c\n                                                                                            d\nkind: Case\nmetadata:\n  name: deep-seq\n",
        ),
        (
            "deep_seq_map",
            resource("deep-seq-map", parse(r##"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{"x y": "a b", "l": "p\nq\n", "s": "#x y z"}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"##)),
            "apiVersion: v1\ndata:\n  v:\n  - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - l: |\n                                                                                        p\n                                                                                        q\n                                                                                      s: '#x\n                                                                                        y\n                                                                                        z'\n                                                                                      x y: a\n                                                                                        b\nkind: Case\nmetadata:\n  name: deep-seq-map\n",
        ),
        (
            "deep_mixed",
            resource("deep-mixed", parse(r##"{"k19": {"k18": {"k17": {"k16": {"k15": {"k14": {"k13": {"k12": {"k11": {"k10": {"k9": {"k8": {"k7": {"k6": {"k5": {"k4": {"k3": {"k2": {"k1": {"k0": [{"k19": {"k18": {"k17": {"k16": {"k15": {"k14": {"k13": {"k12": {"k11": {"k10": {"k9": {"k8": {"k7": {"k6": {"k5": {"k4": {"k3": {"k2": {"k1": {"k0": ["one two three four five six seven", {"a": "'q' r s"}]}}}}}}}}}}}}}}}}}}}}]}}}}}}}}}}}}}}}}}}}}"##)),
            "apiVersion: v1\ndata:\n  v:\n    k19:\n      k18:\n        k17:\n          k16:\n            k15:\n              k14:\n                k13:\n                  k12:\n                    k11:\n                      k10:\n                        k9:\n                          k8:\n                            k7:\n                              k6:\n                                k5:\n                                  k4:\n                                    k3:\n                                      k2:\n                                        k1:\n                                          k0:\n                                          - k19:\n                                              k18:\n                                                k17:\n                                                  k16:\n                                                    k15:\n                                                      k14:\n                                                        k13:\n                                                          k12:\n                                                            k11:\n                                                              k10:\n                                                                k9:\n                                                                  k8:\n                                                                    k7:\n                                                                      k6:\n                                                                        k5:\n                                                                          k4:\n                                                                            k3:\n                                                                              k2:\n                                                                                k1:\n                                                                                  k0:\n                                                                                  - one\n                                                                                    two\n                                                                                    three\n                                                                                    four\n                                                                                    five\n                                                                                    six\n                                                                                    seven\n                                                                                  - a: '''q''\n                                                                                      r\n                                                                                      s'\nkind: Case\nmetadata:\n  name: deep-mixed\n",
        ),
    ]);
}

#[test]
fn num_cases() {
    assert_cases(vec![
        (
            "num000",
            resource("num000", json!(1.0_f64)),
            "apiVersion: v1\ndata:\n  v: 1\nkind: Case\nmetadata:\n  name: num000\n",
        ),
        (
            "num001",
            resource("num001", json!(1000.0_f64)),
            "apiVersion: v1\ndata:\n  v: 1000\nkind: Case\nmetadata:\n  name: num001\n",
        ),
        (
            "num002",
            resource("num002", json!(-0.0_f64)),
            "apiVersion: v1\ndata:\n  v: 0\nkind: Case\nmetadata:\n  name: num002\n",
        ),
        (
            "num003",
            resource("num003", json!(1e+19_f64)),
            "apiVersion: v1\ndata:\n  v: 10000000000000000000\nkind: Case\nmetadata:\n  name: num003\n",
        ),
        (
            "num004",
            resource("num004", json!(-1e+19_f64)),
            "apiVersion: v1\ndata:\n  v: -1e+19\nkind: Case\nmetadata:\n  name: num004\n",
        ),
        (
            "num005",
            resource("num005", json!(1e+20_f64)),
            "apiVersion: v1\ndata:\n  v: 1e+20\nkind: Case\nmetadata:\n  name: num005\n",
        ),
        (
            "num006",
            resource("num006", json!(-9.223372036854776e+18_f64)),
            "apiVersion: v1\ndata:\n  v: -9.223372036854776e+18\nkind: Case\nmetadata:\n  name: num006\n",
        ),
        (
            "num007",
            resource("num007", json!(1234567.5_f64)),
            "apiVersion: v1\ndata:\n  v: 1.2345675e+06\nkind: Case\nmetadata:\n  name: num007\n",
        ),
        (
            "num008",
            resource("num008", json!(123456.7_f64)),
            "apiVersion: v1\ndata:\n  v: 123456.7\nkind: Case\nmetadata:\n  name: num008\n",
        ),
        (
            "num009",
            resource("num009", json!(1e-06_f64)),
            "apiVersion: v1\ndata:\n  v: 1e-06\nkind: Case\nmetadata:\n  name: num009\n",
        ),
        (
            "num010",
            resource("num010", json!(0.0001_f64)),
            "apiVersion: v1\ndata:\n  v: 0.0001\nkind: Case\nmetadata:\n  name: num010\n",
        ),
        (
            "num011",
            resource("num011", json!(2.5e-05_f64)),
            "apiVersion: v1\ndata:\n  v: 2.5e-05\nkind: Case\nmetadata:\n  name: num011\n",
        ),
        (
            "num012",
            resource("num012", json!(6.02e+23_f64)),
            "apiVersion: v1\ndata:\n  v: 6.02e+23\nkind: Case\nmetadata:\n  name: num012\n",
        ),
        (
            "num013",
            resource("num013", json!(5e-324_f64)),
            "apiVersion: v1\ndata:\n  v: 5e-324\nkind: Case\nmetadata:\n  name: num013\n",
        ),
        (
            "num014",
            resource("num014", json!(1.5_f64)),
            "apiVersion: v1\ndata:\n  v: 1.5\nkind: Case\nmetadata:\n  name: num014\n",
        ),
        (
            "num015",
            resource("num015", json!(0.1_f64)),
            "apiVersion: v1\ndata:\n  v: 0.1\nkind: Case\nmetadata:\n  name: num015\n",
        ),
        (
            "num016",
            resource("num016", json!(1.2345678901234568e+17_f64)),
            "apiVersion: v1\ndata:\n  v: 123456789012345680\nkind: Case\nmetadata:\n  name: num016\n",
        ),
        (
            "num017",
            resource("num017", json!(18446744073709551615_u64)),
            "apiVersion: v1\ndata:\n  v: 18446744073709551615\nkind: Case\nmetadata:\n  name: num017\n",
        ),
        (
            "num018",
            resource("num018", json!(1.8446744073709552e+19_f64)),
            "apiVersion: v1\ndata:\n  v: 1.8446744073709552e+19\nkind: Case\nmetadata:\n  name: num018\n",
        ),
        (
            "num019",
            resource("num019", json!(9223372036854775807_i64)),
            "apiVersion: v1\ndata:\n  v: 9223372036854775807\nkind: Case\nmetadata:\n  name: num019\n",
        ),
        (
            "num020",
            resource("num020", json!(-9223372036854775808_i64)),
            "apiVersion: v1\ndata:\n  v: -9223372036854775808\nkind: Case\nmetadata:\n  name: num020\n",
        ),
        (
            "num021",
            resource("num021", json!(1e+21_f64)),
            "apiVersion: v1\ndata:\n  v: 1e+21\nkind: Case\nmetadata:\n  name: num021\n",
        ),
        (
            "num022",
            resource("num022", json!(1e-07_f64)),
            "apiVersion: v1\ndata:\n  v: 1e-07\nkind: Case\nmetadata:\n  name: num022\n",
        ),
        (
            "num023",
            resource("num023", json!(1.2345678901234568e+29_f64)),
            "apiVersion: v1\ndata:\n  v: 1.2345678901234568e+29\nkind: Case\nmetadata:\n  name: num023\n",
        ),
        (
            "num024",
            resource("num024", json!(1.7976931348623157e+308_f64)),
            "apiVersion: v1\ndata:\n  v: 1.7976931348623157e+308\nkind: Case\nmetadata:\n  name: num024\n",
        ),
        (
            "num025",
            resource("num025", json!(100000.0_f64)),
            "apiVersion: v1\ndata:\n  v: 100000\nkind: Case\nmetadata:\n  name: num025\n",
        ),
        (
            "num026",
            resource("num026", json!(999999.0_f64)),
            "apiVersion: v1\ndata:\n  v: 999999\nkind: Case\nmetadata:\n  name: num026\n",
        ),
        (
            "num027",
            resource("num027", json!(1000000.0_f64)),
            "apiVersion: v1\ndata:\n  v: 1000000\nkind: Case\nmetadata:\n  name: num027\n",
        ),
        (
            "num028",
            resource("num028", json!(1e-05_f64)),
            "apiVersion: v1\ndata:\n  v: 1e-05\nkind: Case\nmetadata:\n  name: num028\n",
        ),
        (
            "num029",
            resource("num029", json!(1.5e-06_f64)),
            "apiVersion: v1\ndata:\n  v: 1.5e-06\nkind: Case\nmetadata:\n  name: num029\n",
        ),
        (
            "num030",
            resource("num030", json!(12345678.9_f64)),
            "apiVersion: v1\ndata:\n  v: 1.23456789e+07\nkind: Case\nmetadata:\n  name: num030\n",
        ),
        (
            "num031",
            resource("num031", json!(-1.5e-10_f64)),
            "apiVersion: v1\ndata:\n  v: -1.5e-10\nkind: Case\nmetadata:\n  name: num031\n",
        ),
        (
            "num032",
            resource("num032", json!(3000000.0_f64)),
            "apiVersion: v1\ndata:\n  v: 3000000\nkind: Case\nmetadata:\n  name: num032\n",
        ),
        (
            "num033",
            resource("num033", json!(9007199254740992.0_f64)),
            "apiVersion: v1\ndata:\n  v: 9007199254740992\nkind: Case\nmetadata:\n  name: num033\n",
        ),
        (
            "num034",
            resource("num034", json!(0.30000000000000004_f64)),
            "apiVersion: v1\ndata:\n  v: 0.30000000000000004\nkind: Case\nmetadata:\n  name: num034\n",
        ),
        (
            "num2_000",
            resource("num2-000", json!(1.5e+300_f64)),
            "apiVersion: v1\ndata:\n  v: 1.5e+300\nkind: Case\nmetadata:\n  name: num2-000\n",
        ),
        (
            "num2_001",
            resource("num2-001", json!(-2.25_f64)),
            "apiVersion: v1\ndata:\n  v: -2.25\nkind: Case\nmetadata:\n  name: num2-001\n",
        ),
        (
            "num2_002",
            resource("num2-002", json!(1e+100_f64)),
            "apiVersion: v1\ndata:\n  v: 1e+100\nkind: Case\nmetadata:\n  name: num2-002\n",
        ),
        (
            "num2_003",
            resource("num2-003", json!(5e-324_f64)),
            "apiVersion: v1\ndata:\n  v: 5e-324\nkind: Case\nmetadata:\n  name: num2-003\n",
        ),
        (
            "num2_004",
            resource("num2-004", json!(1e-05_f64)),
            "apiVersion: v1\ndata:\n  v: 1e-05\nkind: Case\nmetadata:\n  name: num2-004\n",
        ),
        (
            "num2_005",
            resource("num2-005", json!(123456.0_f64)),
            "apiVersion: v1\ndata:\n  v: 123456\nkind: Case\nmetadata:\n  name: num2-005\n",
        ),
        (
            "num2_006",
            resource("num2-006", json!(1234567.0_f64)),
            "apiVersion: v1\ndata:\n  v: 1234567\nkind: Case\nmetadata:\n  name: num2-006\n",
        ),
        (
            "num2_007",
            resource("num2-007", json!(0.5_f64)),
            "apiVersion: v1\ndata:\n  v: 0.5\nkind: Case\nmetadata:\n  name: num2-007\n",
        ),
        (
            "num2_008",
            resource("num2-008", json!(-1e-07_f64)),
            "apiVersion: v1\ndata:\n  v: -1e-07\nkind: Case\nmetadata:\n  name: num2-008\n",
        ),
        (
            "num2_009",
            resource("num2-009", json!(9007199254740992.0_f64)),
            "apiVersion: v1\ndata:\n  v: 9007199254740992\nkind: Case\nmetadata:\n  name: num2-009\n",
        ),
        (
            "num2_010",
            resource("num2-010", json!(1000000000000000.0_f64)),
            "apiVersion: v1\ndata:\n  v: 1000000000000000\nkind: Case\nmetadata:\n  name: num2-010\n",
        ),
        (
            "num2_011",
            resource("num2-011", json!(1e+16_f64)),
            "apiVersion: v1\ndata:\n  v: 10000000000000000\nkind: Case\nmetadata:\n  name: num2-011\n",
        ),
        (
            "num2_012",
            resource("num2-012", json!(1e+20_f64)),
            "apiVersion: v1\ndata:\n  v: 1e+20\nkind: Case\nmetadata:\n  name: num2-012\n",
        ),
    ]);
}

#[test]
fn nel_cases() {
    assert_cases(vec![
        (
            "nel000",
            resource("nel000", json!("a\t\u{85}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\t b\"\nkind: Case\nmetadata:\n  name: nel000\n",
        ),
        (
            "nel001",
            resource("nel001", json!("a\u{85}\tb")),
            "apiVersion: v1\ndata:\n  v: \"a \\tb\"\nkind: Case\nmetadata:\n  name: nel001\n",
        ),
        (
            "nel003",
            resource("nel003", json!("a\u{85}...")),
            "apiVersion: v1\ndata:\n  v: a ...\nkind: Case\nmetadata:\n  name: nel003\n",
        ),
        (
            "nel004",
            resource("nel004", json!("a\u{85}#b")),
            "apiVersion: v1\ndata:\n  v: 'a #b'\nkind: Case\nmetadata:\n  name: nel004\n",
        ),
        (
            "nel005",
            resource("nel005", json!("a\u{85} - b")),
            "apiVersion: v1\ndata:\n  v: a - b\nkind: Case\nmetadata:\n  name: nel005\n",
        ),
        (
            "nel006",
            resource("nel006", json!("\u{85}")),
            "apiVersion: v1\ndata:\n  v: ' '\nkind: Case\nmetadata:\n  name: nel006\n",
        ),
        (
            "nel007",
            resource("nel007", json!("\u{85}\u{85}")),
            "apiVersion: v1\ndata:\n  v: |2+\n\nkind: Case\nmetadata:\n  name: nel007\n",
        ),
        (
            "nel012",
            resource("nel012", json!("a\u{85}\u{85}\u{85}b")),
            "apiVersion: v1\ndata:\n  v: |-\n    a\n\n    b\nkind: Case\nmetadata:\n  name: nel012\n",
        ),
        (
            "nel013",
            resource("nel013", json!("a \u{85}\u{85} b")),
            "apiVersion: v1\ndata:\n  v: |-\n    a\n    b\nkind: Case\nmetadata:\n  name: nel013\n",
        ),
        (
            "nel014",
            resource("nel014", json!("a\u{85}\u{2028}b")),
            "apiVersion: v1\ndata:\n  v: \"a \\Lb\"\nkind: Case\nmetadata:\n  name: nel014\n",
        ),
        (
            "nel015",
            resource("nel015", json!("a\u{2028}\u{85}b")),
            "apiVersion: v1\ndata:\n  v: \"a\\L b\"\nkind: Case\nmetadata:\n  name: nel015\n",
        ),
        (
            "nel016",
            resource("nel016", json!("a\u{85}b\nc\n")),
            "apiVersion: v1\ndata:\n  v: |\n    a b\n    c\nkind: Case\nmetadata:\n  name: nel016\n",
        ),
        (
            "nel017",
            resource("nel017", json!("a\u{85} b: c")),
            "apiVersion: v1\ndata:\n  v: 'a b: c'\nkind: Case\nmetadata:\n  name: nel017\n",
        ),
        (
            "nel018",
            resource("nel018", json!("x\u{85}\u{85}")),
            "apiVersion: v1\ndata:\n  v: |\n    x\nkind: Case\nmetadata:\n  name: nel018\n",
        ),
        (
            "nel019",
            resource("nel019", json!(" \u{85}x")),
            "apiVersion: v1\ndata:\n  v: ' x'\nkind: Case\nmetadata:\n  name: nel019\n",
        ),
    ]);
}

#[test]
fn marker_cases() {
    assert_cases(vec![
        (
            "marker000",
            resource("marker000", json!("a\u{85}---")),
            "apiVersion: v1\ndata:\n  v: a ---\nkind: Case\nmetadata:\n  name: marker000\n",
        ),
        (
            "marker002",
            resource("marker002", json!("\u{85}---")),
            "apiVersion: v1\ndata:\n  v: ' ---'\nkind: Case\nmetadata:\n  name: marker002\n",
        ),
        (
            "marker004",
            resource("marker004", json!("a\u{85}----")),
            "apiVersion: v1\ndata:\n  v: a ----\nkind: Case\nmetadata:\n  name: marker004\n",
        ),
        (
            "marker005",
            resource("marker005", json!("a\u{85}...x")),
            "apiVersion: v1\ndata:\n  v: a ...x\nkind: Case\nmetadata:\n  name: marker005\n",
        ),
        (
            "marker006",
            resource("marker006", json!("a\u{85} --- b")),
            "apiVersion: v1\ndata:\n  v: a --- b\nkind: Case\nmetadata:\n  name: marker006\n",
        ),
        (
            "marker008",
            resource("marker008", json!("a\u{85}...\tb")),
            "apiVersion: v1\ndata:\n  v: \"a ...\\tb\"\nkind: Case\nmetadata:\n  name: marker008\n",
        ),
    ]);
}

/// Values `kubectl kustomize` refuses to print.
#[test]
fn rejected_cases() {
    let cases = vec![
        ("str120", resource("str120", json!("a\u{9f}b"))),
        ("key_nel", resource("key-nel", json!({"a\u{85}b": "x"}))),
        ("nel002", resource("nel002", json!("a\u{85}--- b"))),
        ("nel008", resource("nel008", json!("a\u{7f}b"))),
        ("nel009", resource("nel009", json!("a\u{fffe}b"))),
        ("nel010", resource("nel010", json!("a\u{ffff}b"))),
        ("nel011", resource("nel011", json!("a\u{80}b"))),
        (
            "marker001",
            resource("marker001", json!("a\u{85}...\u{85}b")),
        ),
        ("marker003", resource("marker003", json!("\u{85}--- x"))),
        (
            "marker007",
            resource("marker007", json!("a\u{85}\u{85}--- b")),
        ),
        ("key_ctrl", resource("key-ctrl", json!({"a\u{7f}b": 1_i64}))),
        (
            "key_nel_end",
            resource("key-nel-end", json!({"a\u{85}": 1_i64})),
        ),
        (
            "key_nel_start",
            resource("key-nel-start", json!({"\u{85}a": 1_i64})),
        ),
        (
            "key_nel_only",
            resource("key-nel-only", json!({"\u{85}": 1_i64})),
        ),
        (
            "key_nel_long",
            resource(
                "key-nel-long",
                json!({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\u{85}": 1_i64}),
            ),
        ),
    ];
    for (name, value) in cases {
        assert!(check(&value).is_err(), "{name} should be rejected");
    }
}

// Hand-written cases below; gen_tests.py keeps them.

/// Two resources in kubectl's order; the `|+` block keeps its blank line
/// before the `---` (kubectl output, /tmp/emit-corpus/stream).
#[test]
fn stream_joins_documents() {
    use crate::resource::{Origin, Resource, ResourceMap};
    let objects = [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "zzz": "x\n\n"}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "annotations": {}}, "data": {"n": "1"}}),
    ];
    let mut resources = ResourceMap::new();
    for object in objects {
        let resource = Resource::new(object, Origin::Inline).expect("valid resource");
        resources.append(resource).expect("unique id");
    }
    assert_eq!(
        super::stream(&resources),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nzzz: |+\n  x\n\n---\napiVersion: v1\ndata:\n  \"n\": \"1\"\nkind: ConfigMap\nmetadata:\n  name: b\n"
    );
    assert_eq!(super::stream(&ResourceMap::new()), "");
}
