//! HTTPS for the client-certificate checks: certificates made with the
//! `openssl` command (a CA, a server certificate for 127.0.0.1 and a
//! client certificate), a rustls acceptor that asks for (but does not
//! require) a client certificate, and a kubeconfig that uses them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Certificates for an HTTPS server and a client, all signed by one CA.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl TlsFiles {
    /// Makes a CA, a server certificate for 127.0.0.1 and a client certificate.
    pub fn generate(dir: &Path) -> Option<TlsFiles> {
        let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let openssl = |args: &[&str]| {
            std::process::Command::new("openssl")
                .args(args)
                .output()
                .is_ok_and(|output| output.status.success())
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let made_ca = openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    &file("ca.key"),
                    "-out",
                    &file("ca.crt"),
                    "-days",
                    "2",
                ],
                &["-subj", "/CN=strata-test-ca"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        );
        if !made_ca {
            eprintln!(
                "notice: the openssl command is missing or failed; skipping the HTTPS checks"
            );
            return None;
        }
        for (name, subject, extensions) in [
            (
                "server",
                "/CN=127.0.0.1",
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
            ),
            (
                "client",
                "/CN=strata-test/O=system:masters",
                "extendedKeyUsage=clientAuth\n",
            ),
        ] {
            std::fs::write(dir.join(format!("{name}.ext")), extensions).ok()?;
            let made = openssl(
                &[
                    &["req"][..],
                    &ec,
                    &[
                        "-keyout",
                        &file(&format!("{name}.key")),
                        "-out",
                        &file(&format!("{name}.csr")),
                    ],
                    &["-subj", subject],
                ]
                .concat(),
            ) && openssl(&[
                "x509",
                "-req",
                "-in",
                &file(&format!("{name}.csr")),
                "-CA",
                &file("ca.crt"),
                "-CAkey",
                &file("ca.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &file(&format!("{name}.crt")),
                "-extfile",
                &file(&format!("{name}.ext")),
            ]);
            if !made {
                eprintln!("notice: openssl could not sign the {name} certificate; skipping the HTTPS checks");
                return None;
            }
        }
        Some(TlsFiles {
            ca: dir.join("ca.crt"),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.crt"),
            client_key: dir.join("client.key"),
        })
    }
}

/// A TLS acceptor that asks for (but does not require) a client certificate signed by the CA.
pub fn tls_acceptor(files: &TlsFiles) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&files.ca).expect("CA file") {
        roots.add(cert.expect("CA certificate")).expect("add CA");
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(&provider),
    )
    .allow_unauthenticated()
    .build()
    .expect("client verifier");
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.server_cert)
        .expect("server certificate file")
        .map(|cert| cert.expect("server certificate"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(&files.server_key).expect("server key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// A kubeconfig for an HTTPS server: CA file and client certificate, no token.
pub fn tls_kubeconfig_text(url: &str, files: &TlsFiles) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {url}
    certificate-authority: {}
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
users:
- name: test
  user:
    client-certificate: {}
    client-key: {}
",
        files.ca.display(),
        files.client_cert.display(),
        files.client_key.display()
    )
}
