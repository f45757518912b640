//! `strata completion` and `strata man`: generated from the clap definitions
//! behind `--help`, so every command and flag a user can type is in them.

use std::process::{Command, Output};

fn strata(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .output()
        .expect("strata runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

const COMMANDS: [&str; 7] = [
    "build",
    "diff",
    "edit",
    "create",
    "completion",
    "man",
    "argocd",
];

#[test]
fn every_completion_script_names_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&strata(&["completion", shell]));
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} script lacks `{command}`");
        }
        for flag in [
            "load-restrictor",
            "enable-helm",
            "base",
            "format",
            "parts-dir",
        ] {
            // fish names a long option `-l NAME`, the others `--NAME`.
            let word = match shell {
                "fish" => format!("-l {flag}"),
                _ => format!("--{flag}"),
            };
            assert!(script.contains(&word), "{shell} script lacks `{word}`");
        }
        // Nested subcommands too: `strata edit set image`.
        assert!(
            script.contains("image"),
            "{shell} script lacks `edit set image`"
        );
    }
}

#[test]
fn the_bash_script_parses_and_completes_a_subcommand() {
    let script = stdout(&strata(&["completion", "bash"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("strata.bash");
    std::fs::write(&file, &script).expect("write script");
    // Load the script and ask it what follows `strata bu`, as bash would on Tab.
    let probe = format!(
        "source '{}'; COMP_WORDS=(strata bu); COMP_CWORD=1; COMP_LINE='strata bu'; COMP_POINT=9; \
         _strata strata bu strata; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let output = Command::new("bash").args(["-c", &probe]).output();
    match output {
        Ok(output) => {
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let replies = String::from_utf8_lossy(&output.stdout);
            assert_eq!(replies.trim(), "build", "{replies}");
        }
        Err(error) => eprintln!("bash absent ({error}): the script is not run"),
    }
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let output = strata(&["completion", "tcsh"]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("bash") && error.contains("zsh"), "{error}");
}

#[test]
fn the_top_page_lists_every_command() {
    let page = stdout(&strata(&["man"]));
    assert!(page.contains(".TH strata 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    for command in COMMANDS {
        assert!(
            page.contains(&format!("strata\\-{command}(1)")),
            "no {command}"
        );
    }
    assert!(
        page.contains("kustomize v5.5.0"),
        "the version is on the page"
    );
}

#[test]
fn a_subcommand_page_has_its_own_name_and_flags() {
    let page = stdout(&strata(&["man", "build"]));
    assert!(page.contains(".TH strata-build 1"), "{page}");
    for flag in ["load\\-restrictor", "enable\\-helm", "ext\\-str", "output"] {
        assert!(page.contains(flag), "no {flag}");
    }
    let nested = stdout(&strata(&["man", "edit", "set", "image"]));
    assert!(nested.contains(".TH strata-edit-set-image 1"), "{nested}");
    // An alias finds the same page as the name.
    assert_eq!(
        stdout(&strata(&["man", "init"])),
        stdout(&strata(&["man", "create"]))
    );
}

#[test]
fn an_unknown_page_names_the_ones_there_are() {
    let output = strata(&["man", "edit", "frobnicate"]);
    assert_eq!(output.status.code(), Some(1));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("no command `frobnicate` in `strata-edit`"),
        "{error}"
    );
    assert!(error.contains("set, add, remove, fix"), "{error}");
}

#[test]
fn out_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("man1");
    let listed = stdout(&strata(&["man", "--out-dir", target.to_str().unwrap()]));
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .expect("dir made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(listed.lines().count(), names.len());
    for name in [
        "strata.1",
        "strata-build.1",
        "strata-diff.1",
        "strata-edit.1",
        "strata-edit-set-image.1",
        "strata-man.1",
    ] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    for name in &names {
        let page = std::fs::read_to_string(target.join(name)).expect("page");
        let title = format!(".TH {} 1", name.trim_end_matches(".1"));
        assert!(page.contains(&title), "{name} lacks {title}");
    }
}

#[test]
fn pages_render_with_groff() {
    let page = stdout(&strata(&["man", "diff"]));
    let rendered = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = rendered else {
        eprintln!("groff absent: pages are checked as roff text only");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("feed groff");
    let output = child.wait_with_output().expect("groff runs");
    assert!(output.status.success());
    // -ww: every warning on; a malformed page shows here.
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let text = Command::new("sh")
        .args(["-c", "groff -man -Tutf8 -P-c | col -b"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(page.as_bytes())?;
            child.wait_with_output()
        })
        .expect("groff renders");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("strata-diff - Show what applying a build would change"),
        "{text}"
    );
    assert!(text.contains("--base"), "{text}");
}
