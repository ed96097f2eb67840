use jobping_mail::dkim::DkimKey;
use jobping_mail::dns::{DnsRecord, records};

const RSA_PKCS1: &str = include_str!("keys/rsa2048.pkcs1.pem");

fn record<'a>(records: &'a [DnsRecord], name: &str) -> &'a DnsRecord {
    records
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no record named {name} in {records:#?}"))
}

/// The strings of a zone-file TXT value, unquoted and unescaped.
fn zone_strings(value: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next().expect("a closing quote") {
                        '"' => break,
                        '\\' => s.push(chars.next().unwrap()),
                        other => s.push(other),
                    }
                }
                strings.push(s);
            }
            other => panic!("unexpected {other:?} outside quotes in {value}"),
        }
    }
    strings
}

#[test]
fn a_domain_gets_spf_dkim_and_dmarc_records_named_for_it() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();

    let records = records("Jobping.Example", "jobping", Some(&key), None);

    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.kind == "TXT"));
    assert_eq!(record(&records, "jobping.example").value, "v=spf1 a mx ~all");
    assert_eq!(
        record(&records, "jobping._domainkey.jobping.example").value,
        key.dns_value()
    );
    let dmarc = record(&records, "_dmarc.jobping.example");
    assert_eq!(
        dmarc.value,
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@jobping.example; adkim=s; aspf=r"
    );
    assert!(dmarc.purpose.contains("p=quarantine"), "{}", dmarc.purpose);
    assert!(records.iter().all(|r| !r.purpose.is_empty()));
}

#[test]
fn without_a_key_the_dkim_record_says_how_to_make_one() {
    let records = records("jobping.example", "jobping", None, None);

    let dkim = record(&records, "jobping._domainkey.jobping.example");
    assert!(!dkim.value.contains("p="), "{}", dkim.value);
    assert!(dkim.purpose.contains("jobping dkim-keygen"), "{}", dkim.purpose);
}

#[test]
fn spf_includes_a_relay_only_when_it_is_one_whose_include_is_known() {
    let spf = |host: Option<&str>| records("jobping.example", "s", None, host).remove(0);

    assert_eq!(
        spf(Some("smtp.sendgrid.net")).value,
        "v=spf1 a mx include:sendgrid.net ~all"
    );
    assert_eq!(
        spf(Some("email-smtp.eu-central-1.amazonaws.com")).value,
        "v=spf1 a mx include:amazonses.com ~all"
    );

    let unknown = spf(Some("mail.relay.example"));
    assert_eq!(unknown.value, "v=spf1 a mx ~all");
    assert!(
        unknown.purpose.contains("mail.relay.example"),
        "{}",
        unknown.purpose
    );

    let local = spf(Some("127.0.0.1"));
    assert_eq!(local.value, "v=spf1 a mx ~all");
    assert!(!local.purpose.contains("127.0.0.1"), "{}", local.purpose);
}

#[test]
fn a_long_dkim_value_is_split_into_quoted_strings_of_at_most_255_bytes() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();
    let dkim = records("jobping.example", "jobping", Some(&key), None).remove(1);
    assert!(
        dkim.value.len() > 255,
        "an RSA-2048 record is longer than one string"
    );

    let strings = zone_strings(&dkim.value_zone_file());

    assert_eq!(strings.len(), 2, "{}", dkim.value_zone_file());
    assert!(strings.iter().all(|s| s.len() <= 255));
    assert_eq!(strings.concat(), dkim.value);
}

#[test]
fn a_short_value_is_one_quoted_string_with_quotes_escaped() {
    let spf = records("jobping.example", "s", None, None).remove(0);
    assert_eq!(spf.value_zone_file(), "\"v=spf1 a mx ~all\"");

    let odd = DnsRecord {
        value: r#"say "hi" \ bye"#.into(),
        ..spf
    };
    assert_eq!(odd.value_zone_file(), r#""say \"hi\" \\ bye""#);
    assert_eq!(zone_strings(&odd.value_zone_file()), vec![odd.value.clone()]);
}
