use super::*;

#[test]
fn default_cache_dir_prefers_xdg() {
    let xdg = Path::new("/x/cache");
    let home = Path::new("/home/u");
    assert_eq!(
        default_cache_dir(Some(xdg), Some(home)),
        Some(PathBuf::from("/x/cache/strata/git"))
    );
    assert_eq!(
        default_cache_dir(Some(Path::new("")), Some(home)),
        Some(PathBuf::from("/home/u/.cache/strata/git"))
    );
    assert_eq!(default_cache_dir(None, None), None);
}

#[test]
fn tells_remote_files_from_repositories() {
    let cases = [
        ("https://example.com/deploy.yaml", true),
        ("https://raw.example.com/org/repo/main/deploy.yaml", true),
        ("https://example.com/org/repo//deploy?ref=v1", false),
        ("https://example.com/org/repo.git/app", false),
        ("https://example.com/org/repo", false),
        ("git@example.com:org/repo.yaml", false),
    ];
    for (entry, expected) in cases {
        assert_eq!(is_remote_file(entry), expected, "{entry}");
        assert!(is_remote(entry), "{entry}");
    }
    assert!(!is_remote("base"));
    assert!(!is_remote("../base/deploy.yaml"));
}

#[test]
fn cache_key_depends_on_url_ref_and_submodules() {
    let a = RepoSpec::parse("https://h/org/repo//app?ref=v1").unwrap();
    let b = RepoSpec::parse("https://h/org/repo//other?ref=v1").unwrap();
    let c = RepoSpec::parse("https://h/org/repo//app?ref=v2").unwrap();
    let d = RepoSpec::parse("https://h/org/repo//app?ref=v1&submodules=false").unwrap();
    assert_eq!(cache_key(&a), cache_key(&b));
    assert_ne!(cache_key(&a), cache_key(&c));
    assert_ne!(cache_key(&a), cache_key(&d));
    assert!(cache_key(&a).starts_with("repo-"), "{}", cache_key(&a));
}

#[test]
fn displays_hide_passwords_in_urls() {
    let cases = [
        (
            "https://bot:s3cret@example.com/org/repo",
            "https://bot:***@example.com/org/repo",
        ),
        (
            "https://example.com/org/repo",
            "https://example.com/org/repo",
        ),
        (
            "ssh://git@example.com/org/repo",
            "ssh://git@example.com/org/repo",
        ),
        ("git@example.com:org/repo", "git@example.com:org/repo"),
        ("file:///srv/git/repo", "file:///srv/git/repo"),
    ];
    for (url, shown) in cases {
        assert_eq!(without_password(url), shown, "{url}");
    }
}
