use super::*;

#[test]
fn every_rule_finds_its_true_positives_and_none_of_its_false_ones() {
    for rule in RULES {
        for text in rule.true_positives {
            let hits = scan(text, "Description");
            assert!(
                hits.iter().any(|h| h.rule == rule.id),
                "{} missed {text:?}: {hits:?}",
                rule.id
            );
        }
        for text in rule.false_positives {
            let hits = scan(text, "Description");
            assert!(
                !hits.iter().any(|h| h.rule == rule.id),
                "{} matched {text:?}",
                rule.id
            );
        }
    }
}

#[test]
fn look_alikes_in_hsn_data_are_not_credentials() {
    for text in [
        "9f2c4b1e-5d6a-4c3b-8e7f-1a2b3c4d5e6f",
        "2b5c8e9f1a2b3c4d5e6f7a8b9c0d1e2f",
        "https://www.notion.so/the7space/2b5c8e9f1a2b3c4d5e6f7a8b9c0d1e2f",
        "hero-retreat-sedona-2026-AbCdEfGh12345678.base64.png",
        "INST-276fac43",
        "TASK-0046",
        "WF-WELL-BOOK",
        "Intro call booked for Thursday at 10",
        "[2026-11-27T12:00:00Z] Solari: inquiry → consultation",
    ] {
        // Not even where the column is named for a key.
        for property in ["Description", "API Keys Reference"] {
            let hits = scan(text, property);
            assert!(hits.is_empty(), "{property}: {text:?}: {hits:?}");
        }
    }
}

#[test]
fn a_long_random_word_is_a_secret_only_where_the_column_says_key_secret_token_password() {
    let random = "Zq8vT3nR7yL2wK9pX4mB6cD1";
    assert!(scan(random, "Notes").is_empty());
    for property in [
        "API Keys Reference",
        "Webhook Secret",
        "Access Token",
        "DB Password",
    ] {
        let hits = scan(&format!("prod {random}"), property);
        assert_eq!(hits.len(), 1, "{property}");
        assert_eq!(hits[0].rule, "high-entropy-secret");
        assert!(!hits[0].masked.contains(random));
    }
    assert!(!names_a_secret("Key Insights"));
    assert!(!names_a_secret("Key Data Payload"));
    assert!(names_a_secret("Stripe Key"));
}

#[test]
fn masks_keep_the_kind_and_four_characters_never_the_value() {
    let key = concat!("sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9");
    let hits = scan(&format!("stripe: {key} (prod)"), "API Keys Reference");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].masked, "sk_live_••••••••3kQ9");
    assert_eq!(
        masked_text(&format!("stripe: {key} (prod)"), &hits),
        "stripe: sk_live_••••••••3kQ9 (prod)"
    );
    // A short secret keeps no tail.
    assert_eq!(mask("hunter22", 0), "••••••••");
}

#[test]
fn references_are_accepted_in_their_configured_forms_only() {
    for good in [
        "vault://kv/tcp/stripe",
        "op://Private/Stripe/credential",
        "aws-sm:prod/stripe",
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:stripe-AbCdEf",
        "projects/the7space/secrets/stripe/versions/3",
        "https://tcp-keys.vault.azure.net/secrets/stripe",
        "env:STRIPE_SECRET_KEY",
        "doppler://tcp/prd/STRIPE_KEY",
    ] {
        assert!(is_reference(good, REFERENCE_FORMS), "{good}");
        assert_eq!(
            check_value(REFERENCE_COLUMN, good, REFERENCE_FORMS),
            None,
            "{good}"
        );
    }
    for bad in [
        "stored in the safe",
        "https://example.com/keys",
        "vault:/kv/missing-slash",
    ] {
        let problem = check_value(REFERENCE_COLUMN, bad, REFERENCE_FORMS).unwrap();
        assert!(problem.not_a_reference && problem.hits.is_empty(), "{bad}");
        assert_eq!(problem.rule(), "not-a-reference");
        assert!(!problem.masked(bad).contains(bad));
    }
    // A credential there is the worse finding, and is named first.
    let problem = check_value(
        REFERENCE_COLUMN,
        concat!("sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9"),
        REFERENCE_FORMS,
    )
    .unwrap();
    assert_eq!(problem.rule(), "stripe-secret-key");
    assert!(problem.description().contains("not a reference"));
    // Configured forms replace the defaults.
    assert!(is_reference("keeper://records/42", &["keeper://*"]));
    assert!(!is_reference("vault://kv/x", &["keeper://*"]));
    // Other columns need no reference.
    assert_eq!(
        check_value("Description", "stored in the safe", REFERENCE_FORMS),
        None
    );
}

#[test]
fn hostile_text_is_scanned_in_linear_time_without_panicking() {
    let long = "a".repeat(200_000)
        + concat!(" sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9 ")
        + &"é".repeat(1000);
    let hits = scan(&long, "API Keys Reference");
    assert_eq!(
        hits.iter()
            .filter(|h| h.rule == "stripe-secret-key")
            .count(),
        1
    );
    let masked = masked_text(&long, &hits);
    assert!(!masked.contains("Qy3kQ9x") && !masked.contains("51HqLyj"));
}

#[test]
fn shown_text_marks_and_masks_each_credential_and_leaves_the_rest() {
    let text = concat!(
        "call Nyra; stripe sk_live_",
        "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9 then ghp_",
        "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"
    );
    let (masked, first) = shown(text, "Note").unwrap();
    assert_eq!(first, "Stripe secret key");
    assert_eq!(
        masked,
        "call Nyra; stripe ⚠ sk_live_••••••••3kQ9 then ⚠ ghp_••••••••pINUx"
            .replace("pINUx", "INUx")
    );
    assert_eq!(shown("The 7 Space", "Name"), None);
    assert_eq!(shown("INST-276fac43 WF-WELL-BOOK inquiry", ""), None);
    assert!(hint(first).contains("move it to your secret store"));
}

#[test]
fn a_private_key_is_masked_whole_not_only_its_header() {
    let text = "deploy key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\nthanks";
    let (masked, _) = shown(text, "Notes").unwrap();
    assert!(
        !masked.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
        "{masked}"
    );
    assert!(
        masked.starts_with("deploy key:\n⚠ ") && masked.ends_with("\nthanks"),
        "{masked}"
    );
    // Cut before its END line, the rest of the text is the key.
    let open = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
    let (masked, _) = shown(open, "Notes").unwrap();
    assert!(!masked.contains("MIIEvQIBADAN"), "{masked}");
}

#[test]
fn every_rules_examples_pass_the_anchors_as_the_store_holds_them() {
    for rule in RULES {
        for text in rule.true_positives {
            let stored = serde_json::to_string(&serde_json::json!({"Notes": text})).unwrap();
            assert!(
                may_hold_credential(stored.as_bytes()),
                "{}: {stored}",
                rule.id
            );
        }
    }
    let quoted = serde_json::to_string("https://ops:pa\"ss@db.example.com").unwrap();
    assert!(may_hold_credential(quoted.as_bytes()));
    // Ordinary records pass by without being read.
    for text in [
        "TASK-0046 Confirm Olivia Hart's booking",
        "[2026-11-27T12:00:00Z] Nyra: inquiry → consultation",
    ] {
        let stored = serde_json::to_string(text).unwrap();
        assert!(!may_hold_credential(stored.as_bytes()), "{text}");
    }
}
