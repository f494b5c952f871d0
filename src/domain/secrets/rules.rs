//! The secret scan's rules and the accepted forms of a reference to a secret store: data,
//! each rule with the examples its tests hold it to. Patterns are those of gitleaks'
//! default rules where one exists, narrowed to what a Notion property holds.

use super::Rule;

// The examples below are made up. Each is written in two pieces (`concat!`) so that no
// literal in the source has a credential's shape: secret scanners (GitHub's push
// protection, gitleaks) read this file too, and the tests read the joined values.

pub const RULES: &[Rule] = &[
    Rule {
        id: "notion-token",
        description: "Notion integration token",
        pattern: r"\b(?:ntn_[0-9A-Za-z]{40,}|secret_[0-9A-Za-z]{40,})\b",
        keep_prefix: 4,
        true_positives: &[
            concat!("ntn_", "4488123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456"),
            concat!(
                "token: secret_",
                "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
            ),
        ],
        false_positives: &["secret_sauce_recipe", "ntn_short"],
    },
    Rule {
        id: "aws-access-key-id",
        description: "AWS access key",
        pattern: r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        keep_prefix: 4,
        true_positives: &["aws_access_key_id = AKIAIOSFODNN7EXAMPLE"],
        false_positives: &[
            "AKIA-LOWER-akiaiosfodnn7example",
            "AKIAIOSFODNN7EXAMPLEEXTRA",
        ],
    },
    Rule {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        pattern: r#"(?i)aws.{0,20}(?:secret|private).{0,20}[=:]\s*["']?[A-Za-z0-9/+]{40}\b"#,
        keep_prefix: 0,
        true_positives: &["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
        false_positives: &["the AWS secret is in vault://kv/aws/prod"],
    },
    Rule {
        id: "stripe-secret-key",
        description: "Stripe secret key",
        pattern: r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b",
        keep_prefix: 8,
        true_positives: &[
            concat!("sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9"),
            concat!("rk_test_", "4eC39HqLyjWDarjtT1zdp7dc"),
        ],
        false_positives: &["sk_live_ (see vault)", "pk_live_51HqLyjWDarjtT1zdp7dcXzQk"],
    },
    Rule {
        id: "github-token",
        description: "GitHub token",
        pattern: r"\b(?:(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{82})\b",
        keep_prefix: 4,
        true_positives: &[concat!("ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx")],
        false_positives: &["ghp_tooshort", "github.com/higherself/hsn"],
    },
    Rule {
        id: "slack-token",
        description: "Slack token",
        pattern: r"\bxox[baprs]-[0-9A-Za-z-]{10,}\b",
        keep_prefix: 5,
        true_positives: &[concat!(
            "xoxb-",
            "263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1"
        )],
        false_positives: &["xoxo-hugs-and-kisses", "xoxb-short"],
    },
    Rule {
        id: "google-api-key",
        description: "Google API key",
        pattern: r"\bAIza[0-9A-Za-z_-]{35}\b",
        keep_prefix: 4,
        true_positives: &[concat!("AIza", "SyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI")],
        false_positives: &["AIzaShort"],
    },
    Rule {
        id: "openai-api-key",
        description: "OpenAI-style API key",
        pattern: r"\bsk-(?:proj-|svcacct-|ant-)?[0-9A-Za-z_-]{32,}",
        keep_prefix: 3,
        true_positives: &[
            concat!("sk-proj-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z0123456789"),
            concat!("OPENAI_API_KEY=sk-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z01"),
        ],
        false_positives: &[
            "sk-the-task-list",
            "ask-me-anything-about-the-retreat-schedule",
        ],
    },
    Rule {
        id: "jwt",
        description: "JSON Web Token",
        pattern: r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}",
        keep_prefix: 3,
        true_positives: &[
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ],
        false_positives: &["eyJ alone", "hero.eyJpeg.png"],
    },
    Rule {
        id: "private-key",
        description: "private key (PEM block)",
        // The whole block, to its END line (or the end of the text): the body is the key.
        pattern: r"-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----|\z)",
        keep_prefix: 0,
        true_positives: &[
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
        ],
        false_positives: &["-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----"],
    },
    Rule {
        id: "password-in-url",
        description: "password in a URL",
        pattern: r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^/\s:@]{1,64}:[^/\s@]{3,128}@[0-9A-Za-z.-]+",
        keep_prefix: 0,
        true_positives: &[
            "postgres://admin:hunter22@db.the7space.com:5432/bookings",
            "https://user:S3cr3t!@api.example.com/hook",
        ],
        false_positives: &[
            "https://example.com/user@domain",
            "mailto:hello@the7space.com",
            "https://the7space.com:8443/path",
        ],
    },
];

/// What `API Keys Reference` may hold: references to a secret store, as globs (`*` is
/// any text). The config file's `[secrets] references` replaces them.
pub const REFERENCE_FORMS: &[&str] = &[
    "vault://*",
    "op://*",
    "aws-sm:*",
    "arn:aws:secretsmanager:*",
    "gcp-sm:*",
    "projects/*/secrets/*",
    "azure-kv:*",
    "https://*.vault.azure.net/*",
    "env:*",
    "doppler://*",
];
