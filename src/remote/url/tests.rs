//! Cases from kustomize v5.5.0's `repospec_test.go`.

use super::*;

/// (input, clone spec, host, repo path, kustomization path, ref).
const SMOKE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
        "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        "https://git-codecommit.us-east-2.amazonaws.com/",
        "someorg/somerepo",
        "somedir",
        "",
    ),
    (
        "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir?ref=testbranch",
        "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        "https://git-codecommit.us-east-2.amazonaws.com/",
        "someorg/somerepo",
        "somedir",
        "testbranch",
    ),
    (
        "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
        "https://fabrikops2.visualstudio.com/someorg/somerepo",
        "https://fabrikops2.visualstudio.com/",
        "someorg/somerepo",
        "",
        "master",
    ),
    (
        "http://github.com/someorg/somerepo/somedir",
        "https://github.com/someorg/somerepo",
        "https://github.com/",
        "someorg/somerepo",
        "somedir",
        "",
    ),
    (
        "git@github.com:someorg/somerepo/somedir",
        "git@github.com:someorg/somerepo",
        "git@github.com:",
        "someorg/somerepo",
        "somedir",
        "",
    ),
    (
        "http://github.com/someorg/somerepo.git/somedir",
        "https://github.com/someorg/somerepo.git",
        "https://github.com/",
        "someorg/somerepo.git",
        "somedir",
        "",
    ),
    (
        "git@github.com:someorg/somerepo.git/somedir",
        "git@github.com:someorg/somerepo.git",
        "git@github.com:",
        "someorg/somerepo.git",
        "somedir",
        "",
    ),
    (
        "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
        "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git",
        "git@gitlab2.sqtools.ru:",
        "infra/kubernetes/thanos-base.git",
        "",
        "v0.1.0",
    ),
    (
        "git@bitbucket.org:company/project.git//path?ref=branch",
        "git@bitbucket.org:company/project.git",
        "git@bitbucket.org:",
        "company/project.git",
        "path",
        "branch",
    ),
    (
        "git@bitbucket.org/company/project.git//path?ref=branch",
        "git@bitbucket.org/company/project.git",
        "git@bitbucket.org/",
        "company/project.git",
        "path",
        "branch",
    ),
    (
        "ssh://git@bitbucket.org/company/project.git//path?ref=branch",
        "ssh://git@bitbucket.org/company/project.git",
        "ssh://git@bitbucket.org/",
        "company/project.git",
        "path",
        "branch",
    ),
    (
        "https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/",
        "collection/project/_git/somerepos",
        "",
        "",
    ),
    (
        "https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
        "https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/",
        "collection/project/_git/somerepos",
        "",
        "v1.0.0",
    ),
    (
        "https://itfs.mycompany.com/collection/project/_git/somerepos/somedir?version=v1.0.0",
        "https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/",
        "collection/project/_git/somerepos",
        "somedir",
        "v1.0.0",
    ),
    (
        "git::https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/collection/project/_git/somerepos",
        "https://itfs.mycompany.com/",
        "collection/project/_git/somerepos",
        "",
        "",
    ),
    (
        "https://bitbucket.example.com/scm/project/repository.git",
        "https://bitbucket.example.com/scm/project/repository.git",
        "https://bitbucket.example.com/",
        "scm/project/repository.git",
        "",
        "",
    ),
    (
        "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
        "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
        "ssh://git-codecommit.us-east-2.amazonaws.com/",
        "someorg/somerepo",
        "somepath",
        "",
    ),
    (
        "git@github.com/someorg/somerepo/somepath",
        "git@github.com:someorg/somerepo",
        "git@github.com:",
        "someorg/somerepo",
        "somepath",
        "",
    ),
    (
        "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?ref=v1.0.6",
        "https://github.com/kubernetes-sigs/kustomize",
        "https://github.com/",
        "kubernetes-sigs/kustomize",
        "examples/multibases/dev/",
        "v1.0.6",
    ),
    (
        "file://a/b/c/someRepo.git/somepath?ref=someBranch",
        "file://a/b/c/someRepo.git",
        "file://",
        "a/b/c/someRepo.git",
        "somepath",
        "someBranch",
    ),
    (
        "file://a/b/c/someRepo//somepath?ref=someBranch",
        "file://a/b/c/someRepo",
        "file://",
        "a/b/c/someRepo",
        "somepath",
        "someBranch",
    ),
    (
        "file://a/b/c/someRepo?ref=someBranch",
        "file://a/b/c/someRepo",
        "file://",
        "a/b/c/someRepo",
        "",
        "someBranch",
    ),
    (
        "file:///a/b/c/someRepo?ref=someBranch",
        "file:///a/b/c/someRepo",
        "file://",
        "/a/b/c/someRepo",
        "",
        "someBranch",
    ),
    (
        "ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev?ref=v1.0.6",
        "git@github.com:kubernetes-sigs/kustomize",
        "git@github.com:",
        "kubernetes-sigs/kustomize",
        "examples/multibases/dev",
        "v1.0.6",
    ),
    (
        "file:///a/b/c/someRepo",
        "file:///a/b/c/someRepo",
        "file://",
        "/a/b/c/someRepo",
        "",
        "",
    ),
    ("file:///", "file:///", "file://", "/", "", ""),
    (
        "https://example.org/path/to/repo//examples/multibases/dev",
        "https://example.org/path/to/repo",
        "https://example.org/",
        "path/to/repo",
        "examples/multibases/dev",
        "",
    ),
    (
        "https://example.org/path/to/repo.git/examples/multibases/dev",
        "https://example.org/path/to/repo.git",
        "https://example.org/",
        "path/to/repo.git",
        "examples/multibases/dev",
        "",
    ),
    (
        "ssh://alice@example.com/path/to/repo//examples/multibases/dev",
        "ssh://alice@example.com/path/to/repo",
        "ssh://alice@example.com/",
        "path/to/repo",
        "examples/multibases/dev",
        "",
    ),
    (
        "https://authority/org/repo?ref=group/version",
        "https://authority/org/repo",
        "https://authority/",
        "org/repo",
        "",
        "group/version",
    ),
    (
        "https://authority/org/repo/?ref=includes_git/for_some_reason",
        "https://authority/org/repo",
        "https://authority/",
        "org/repo",
        "",
        "includes_git/for_some_reason",
    ),
    (
        "https://authority/org/repo/?ref=includes.git/for_some_reason",
        "https://authority/org/repo",
        "https://authority/",
        "org/repo",
        "",
        "includes.git/for_some_reason",
    ),
    (
        "https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
        "https://authority/org/repo",
        "https://authority/",
        "org/repo",
        "%-invalid-uri-so-not-parsable-by-net/url.Parse",
        "",
    ),
    (
        "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path?ref=branch",
        "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git",
        "ssh://myusername@bitbucket.org/",
        "ourteamname/ourrepositoryname.git",
        "path",
        "branch",
    ),
    (
        "file://git@home/path/to/repository.git//path?ref=branch",
        "file://git@home/path/to/repository.git",
        "file://",
        "git@home/path/to/repository.git",
        "path",
        "branch",
    ),
    (
        "http://git@home.com/path/to/repository.git//path?ref=branch",
        "http://git@home.com/path/to/repository.git",
        "http://git@home.com/",
        "path/to/repository.git",
        "path",
        "branch",
    ),
    (
        "https://git@home.com/path/to/repository.git//path?ref=branch",
        "https://git@home.com/path/to/repository.git",
        "https://git@home.com/",
        "path/to/repository.git",
        "path",
        "branch",
    ),
    (
        "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
        "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
        "ssh://git@ssh.github.com:443/",
        "YOUR-USERNAME/YOUR-REPOSITORY.git",
        "",
        "",
    ),
    (
        "git@gitlab.com/user:name/YOUR-REPOSITORY.git/path",
        "git@gitlab.com/user:name/YOUR-REPOSITORY.git",
        "git@gitlab.com/",
        "user:name/YOUR-REPOSITORY.git",
        "path",
        "",
    ),
    (
        "git@gitlab.com:gitlab-tests/sample-project.git",
        "git@gitlab.com:gitlab-tests/sample-project.git",
        "git@gitlab.com:",
        "gitlab-tests/sample-project.git",
        "",
        "",
    ),
    (
        "git@gitlab.com:gitlab-tests/sample-project",
        "git@gitlab.com:gitlab-tests/sample-project",
        "git@gitlab.com:",
        "gitlab-tests/sample-project",
        "",
        "",
    ),
    (
        "https://username@dev.azure.com/org/project/_git/repo//path/to/kustomization/root",
        "https://username@dev.azure.com/org/project/_git/repo",
        "https://username@dev.azure.com/",
        "org/project/_git/repo",
        "path/to/kustomization/root",
        "",
    ),
    (
        "https://org.visualstudio.com/project/_git/repo/path/to/kustomization/root",
        "https://org.visualstudio.com/project/_git/repo",
        "https://org.visualstudio.com/",
        "project/_git/repo",
        "path/to/kustomization/root",
        "",
    ),
    (
        "ssh://org-12345@github.com/kubernetes-sigs/kustomize",
        "org-12345@github.com:kubernetes-sigs/kustomize",
        "org-12345@github.com:",
        "kubernetes-sigs/kustomize",
        "",
        "",
    ),
    (
        "org-12345@github.com/kubernetes-sigs/kustomize",
        "org-12345@github.com:kubernetes-sigs/kustomize",
        "org-12345@github.com:",
        "kubernetes-sigs/kustomize",
        "",
        "",
    ),
    (
        "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
        "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
        "git@gist.github.com:",
        "bc7947cb727d7f9217e7862d961a1ffd.git",
        "",
        "",
    ),
    (
        "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
        "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
        "https://gist.github.com/",
        "bc7947cb727d7f9217e7862d961a1ffd.git",
        "",
        "",
    ),
];

#[test]
fn parses_kustomize_smoke_cases() {
    for &(input, clone, host, repo, kust, git_ref) in SMOKE {
        let spec = RepoSpec::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(spec.clone_spec(), clone, "{input}");
        assert_eq!(spec.host, host, "{input}");
        assert_eq!(spec.repo_path, repo, "{input}");
        assert_eq!(spec.kust_root_path, kust, "{input}");
        assert_eq!(spec.git_ref, git_ref, "{input}");
    }
}

#[test]
fn parses_kustomize_permutations() {
    let hosts = [
        ("gitHub.com/", "https://github.com/"),
        ("github.com:", "https://github.com/"),
        ("http://github.com/", "https://github.com/"),
        ("https://github.com/", "https://github.com/"),
        ("hTTps://github.com/", "https://github.com/"),
        (
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "https://git-codecommit.us-east-2.amazonaws.com/",
        ),
        (
            "https://fabrikops2.visualstudio.com/",
            "https://fabrikops2.visualstudio.com/",
        ),
        ("ssh://git.example.com:7999/", "ssh://git.example.com:7999/"),
        ("git::https://gitlab.com/", "https://gitlab.com/"),
        ("git::http://git.example.com/", "http://git.example.com/"),
        ("git::https://git.example.com/", "https://git.example.com/"),
        ("git@github.com:", "git@github.com:"),
        ("git@github.com/", "git@github.com:"),
        ("git::git@github.com:", "git@github.com:"),
        ("org-12345@github.com:", "org-12345@github.com:"),
        ("org-12345@github.com/", "org-12345@github.com:"),
    ];
    for (raw, normalized) in hosts {
        for repo in ["someOrg/someRepo", "kubernetes/website"] {
            for path in ["README.md", "foo/krusty.txt", ""] {
                for git_ref in ["group/version", "someBranch", "master", "v0.1.0", ""] {
                    let mut url = format!("{raw}{repo}");
                    if !path.is_empty() {
                        url = format!("{url}/{path}");
                    }
                    if !git_ref.is_empty() {
                        url = format!("{url}?ref={git_ref}");
                    }
                    let spec = RepoSpec::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
                    assert_eq!(
                        (spec.host.as_str(), spec.repo_path.as_str()),
                        (normalized, repo),
                        "{url}"
                    );
                    assert_eq!(spec.kust_root_path, path, "{url}");
                    assert_eq!(spec.git_ref, git_ref, "{url}");
                }
            }
        }
    }
}

#[test]
fn rejects_what_kustomize_rejects() {
    let cases = [
        ("/tmp", "uri looks like abs path"),
        ("../../tmp", "failed to parse scheme"),
        ("src/github.com/org/repo/path", "failed to parse scheme"),
        ("iauhsdiuashduas", "failed to parse scheme"),
        ("htxxxtp://github.com/", "failed to parse scheme"),
        ("ssh://git.example.com", "failed to parse repo path segment"),
        ("git::___", "failed to parse scheme"),
        (
            "https://host?ref=group/version/minor_version",
            "failed to parse repo path segment",
        ),
        (
            "https://github.com/org/repo.git//path/../../exits/repo",
            "url path exits repo",
        ),
        ("github.com!org/repo.git//path", "failed to parse scheme"),
        ("gh:org/repo", "failed to parse scheme"),
        (
            "https://github.com/thisisa404.yaml",
            "failed to parse repo path segment",
        ),
        (
            "file:////tmp//path/to/whatever",
            "failed to parse repo path segment",
        ),
        (
            "git@scp://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
        (
            "git@ssh://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
    ];
    for (url, expected) in cases {
        let error = RepoSpec::parse(url).expect_err(url);
        assert!(error.contains(expected), "{url}: {error}");
    }
}

#[test]
fn parses_query_as_kustomize() {
    let minute_one = Duration::from_secs(61);
    let cases = [
        ("", "", DEFAULT_TIMEOUT, true),
        ("ref=v1.0.0", "v1.0.0", DEFAULT_TIMEOUT, true),
        (
            "ref=kustomize/v4.5.7",
            "kustomize/v4.5.7",
            DEFAULT_TIMEOUT,
            true,
        ),
        ("version=master", "master", DEFAULT_TIMEOUT, true),
        ("version=master&ref=v1.0.0", "v1.0.0", DEFAULT_TIMEOUT, true),
        (
            "version=master&submodules=",
            "master",
            DEFAULT_TIMEOUT,
            true,
        ),
        (
            "version=master&submodules=maybe",
            "master",
            DEFAULT_TIMEOUT,
            true,
        ),
        (
            "version=master&submodules=true",
            "master",
            DEFAULT_TIMEOUT,
            true,
        ),
        (
            "version=master&submodules=false",
            "master",
            DEFAULT_TIMEOUT,
            false,
        ),
        ("version=master&timeout=", "master", DEFAULT_TIMEOUT, true),
        (
            "version=master&timeout=jiffy",
            "master",
            DEFAULT_TIMEOUT,
            true,
        ),
        ("version=master&timeout=0", "master", DEFAULT_TIMEOUT, true),
        ("version=master&timeout=0s", "master", DEFAULT_TIMEOUT, true),
        ("version=master&timeout=61", "master", minute_one, true),
        ("version=master&timeout=1m1s", "master", minute_one, true),
        (
            "version=master&submodules=false&timeout=1m1s",
            "master",
            minute_one,
            false,
        ),
    ];
    for (query, git_ref, timeout, submodules) in cases {
        assert_eq!(
            parse_query(query),
            (git_ref.to_string(), timeout, submodules),
            "{query}"
        );
    }
}
