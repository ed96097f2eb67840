//! Languages a posting requires ("fluent German required", "Deutschkenntnisse",
//! "C1 French") and the language its description is written in.

use std::sync::LazyLock;

use regex::Regex;

use super::text::Folded;
use super::words::{boundary_after, boundary_before};
use crate::taxonomy::Taxonomy;

/// Words that make a language name a requirement when they are near it.
static PROFICIENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:fluent|fluency|fluently|native|mother tongue|proficien(?:t|cy)|[abc][12](?-u:\b)|bilingual|business[- ]level",
        r"|required|requirement|essential|mandatory|must|speak|speaking|spoken|written|verbal|skills|command of|knowledge of",
        r"|excellent|kenntnisse|sprachkenntnisse|fließend|fliessend|verhandlungssicher|muttersprach\w*|sehr gut\w*|gute?\w*",
        r"|courant|maîtrise|maitrise|parlé|écrit|bilingue|niveau|level|vloeiend|goede beheersing)",
    ))
    .expect("valid regex")
});

/// Nouns that make a language name an adjective about something else: "the German
/// market", "a French company".
const NOT_A_REQUIREMENT: &[&str] = &[
    "market",
    "markets",
    "company",
    "companies",
    "customers",
    "clients",
    "office",
    "offices",
    "law",
    "startup",
    "startups",
    "team",
    "teams",
    "speaking market",
    "speaking countries",
    "speaking region",
    "business",
    "businesses",
    "government",
    "citizens",
    "citizenship",
    "passport",
    "headquarters",
    "subsidiary",
    "unternehmen",
    "markt",
    "kunden",
    "marché",
    "entreprise",
    "speaking jobs",
    "speaking job",
    "speaking roles",
    "speaking positions",
    "speaking country",
    "speaking world",
];

/// How far (in bytes) a proficiency word may be from the language name.
const WINDOW: usize = 48;

/// ISO 639-1 codes of the languages the texts require (a title and a description, say),
/// in the order first named. The texts are searched one after the other, as if one text
/// with a line break between them.
pub(crate) fn languages_required(texts: &[&Folded<'_>], taxonomy: &Taxonomy) -> Vec<String> {
    let names = taxonomy.language_names();
    let mut codes: Vec<String> = Vec::new();
    for text in texts {
        let lower = text.lower.as_str();
        // One pass finds every name; a name counts as a whole word, or before
        // "kenntniss" in a German compound ("Deutschkenntnisse", "Englischkenntnissen"),
        // which is a requirement by itself.
        for hit in names.find_overlapping_iter(lower) {
            let (at, end) = (hit.start(), hit.end());
            if !boundary_before(lower, at) {
                continue;
            }
            let rest = &lower[end..];
            let compound = rest.starts_with(KENNTNIS);
            if !compound && !boundary_after(rest) {
                continue;
            }
            let language = taxonomy.language_named(hit.pattern());
            let code = language.code.as_str();
            if codes.iter().any(|c| c == code) {
                continue;
            }
            if compound || is_requirement(lower, text.original, at, &lower[at..end]) {
                codes.push(code.to_owned());
            }
        }
    }
    codes
}

/// The stem of German "-kenntnisse" compounds: a language name before it is required.
const KENNTNIS: &str = "kenntniss";

/// Whether the language name at `at` is named as a requirement: a proficiency word
/// near it in the same sentence, and no noun after it that makes it an adjective.
fn is_requirement(lower: &str, original: &str, at: usize, name: &str) -> bool {
    let end = at + name.len();
    // "polish your skills": the verb, not the language, which is written capitalised.
    if name == "polish" && original.get(at..at + 1).is_none_or(|c| c != "P") {
        return false;
    }
    let next_words = lower[end..].trim_start_matches([' ', '-']);
    if NOT_A_REQUIREMENT
        .iter()
        .any(|noun| next_words.starts_with(noun) && boundary_after(&next_words[noun.len()..]))
    {
        return false;
    }
    let sentence_start = lower[..at]
        .rfind(['.', '\n', ';', '•', '!', '?'])
        .map_or(0, |i| i + 1);
    let sentence_end = lower[end..]
        .find(['.', '\n', ';', '•', '!', '?'])
        .map_or(lower.len(), |i| end + i);
    let from = floor_char(lower, at.saturating_sub(WINDOW).max(sentence_start));
    let to = floor_char(lower, (end + WINDOW).min(sentence_end));
    PROFICIENCY.is_match(&lower[from..at]) || PROFICIENCY.is_match(&lower[end..to.max(end)])
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The description's language (ISO 639-1) when the detector is confident and the text
/// is long enough for it to be; short texts fool trigram detectors.
pub(crate) fn description_language(text: &str) -> Option<String> {
    const MIN_CHARS: usize = 120;
    text.chars().filter(|c| c.is_alphabetic()).nth(MIN_CHARS - 1)?;
    // The first 600 bytes (a paragraph) say as much as the whole and bound the cost:
    // detection is the dearest step of normalization, linear in the sample. On the
    // recorded real postings 600 bytes agreed with 1,000 wherever 1,000 was sure, and
    // was sure of four more; 500 and fewer took lorem ipsum for French.
    const SAMPLE_BYTES: usize = 600;
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    // Detection is the dearest step of normalization; most postings settle by their
    // function words alone, at a fraction of the cost, and always as detection would.
    function_word_vote(sample)
        .map(str::to_owned)
        .or_else(|| detected_language(sample))
}

/// The trigram detector's verdict on a sample, when it is sure.
fn detected_language(sample: &str) -> Option<String> {
    // Only the languages JobPing can name are candidates: a profile it could never
    // report costs as much to score as one it can, and scoring is most of detection.
    static DETECTOR: LazyLock<whatlang::Detector> = LazyLock::new(|| {
        let known = whatlang::Lang::all()
            .iter()
            .copied()
            .filter(|lang| iso_639_1(lang.code()).is_some())
            .collect();
        whatlang::Detector::with_allowlist(known)
    });
    let info = DETECTOR.detect(sample)?;
    if !info.is_reliable() || info.confidence() < 0.5 {
        return None;
    }
    iso_639_1(info.lang().code()).map(str::to_owned)
}

/// Frequent short words of the languages most postings here are written in, each
/// word common in one of these languages only ("die" is Dutch as well as German, "con"
/// Spanish as well as Italian, so neither is here), and none of them Latin, which
/// placeholder text is written in ("et", "est"). Danish is left to the detector: its
/// common words are Norwegian too.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "you", "your", "with", "our", "are", "this", "that", "have", "who", "from", "what",
            "they", "their", "which", "about", "be", "would",
        ],
    ),
    (
        "de",
        &[
            "und", "das", "mit", "für", "wir", "ist", "ein", "eine", "einen", "sie", "auf", "bei", "dem",
            "nicht", "oder", "auch", "sind", "wird", "uns", "unser", "unsere", "unseren", "von", "zu",
            "dich", "dein", "deine", "ihre", "zur", "zum",
        ],
    ),
    (
        "fr",
        &[
            "les", "des", "vous", "nous", "pour", "une", "dans", "avec", "sur", "aux", "votre", "notre",
            "nos", "vos", "au", "ce", "cette", "être", "sont", "chez", "leurs", "ainsi",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "más", "sus", "nuestro", "nuestra", "nuestros", "nuestras", "también",
            "muy", "usted", "tus", "está",
        ],
    ),
    (
        "it",
        &[
            "di", "che", "della", "delle", "dei", "degli", "nel", "nella", "sono", "gli", "nostro", "nostra",
            "anche", "siamo", "essere",
        ],
    ),
    (
        "nl",
        &[
            "het", "een", "van", "wij", "ons", "onze", "voor", "zijn", "bij", "naar", "niet", "ook", "jouw",
            "jij", "wordt", "heb", "hebt",
        ],
    ),
    (
        "pt",
        &[
            "os", "dos", "não", "você", "nossa", "nosso", "nossos", "são", "também", "uma", "ao", "às",
            "seu", "sua",
        ],
    ),
    (
        "pl",
        &["się", "jest", "oraz", "dla", "nie", "że", "lub", "przez", "pracy"],
    ),
    (
        "sv",
        &["och", "att", "är", "till", "våra", "för", "ett", "vara", "inom"],
    ),
];

/// The language whose function words dominate the sample so plainly that a trigram
/// detector could only agree, or `None` when it is less clear: text in the common
/// languages is settled for a fraction of detection's cost, the rest goes to it.
fn function_word_vote(sample: &str) -> Option<&'static str> {
    /// Hits the leading language needs, out of a sample's hundred or so words.
    const MIN_HITS: usize = 10;
    /// How many times the runner-up's hits (plus one) the leader needs.
    const MARGIN: usize = 4;
    static WORDS: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
        FUNCTION_WORDS
            .iter()
            .enumerate()
            .flat_map(|(lang, (_, words))| words.iter().map(move |word| (*word, lang)))
            .collect()
    });
    let lower = sample.to_lowercase();
    let mut hits = [0usize; FUNCTION_WORDS.len()];
    // Empty pieces (between a comma and a space, say) are no word and not worth a hash.
    for word in lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        if let Some(&lang) = WORDS.get(word) {
            hits[lang] += 1;
        }
    }
    let (leader, &most) = hits.iter().enumerate().max_by_key(|(_, n)| **n)?;
    let runner_up = hits
        .iter()
        .enumerate()
        .filter(|(lang, _)| *lang != leader)
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0);
    (most >= MIN_HITS && most >= MARGIN * (runner_up + 1)).then_some(FUNCTION_WORDS[leader].0)
}

/// A board's own language note ("en", "de", "German"), through the taxonomy.
pub(crate) fn stated_language(text: &str, taxonomy: &Taxonomy) -> Option<String> {
    let text = text.trim().to_lowercase();
    let code = text.split(['-', '_']).next().unwrap_or_default();
    if taxonomy.language(code).is_some() {
        return Some(code.to_owned());
    }
    taxonomy
        .languages
        .iter()
        .find(|l| l.name.to_lowercase() == text || l.names.contains(&text))
        .map(|l| l.code.clone())
}

fn iso_639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "nld" => "nl",
        "por" => "pt",
        "pol" => "pl",
        "swe" => "sv",
        "dan" => "da",
        "ces" => "cs",
        "ara" => "ar",
        "nob" => "no",
        "fin" => "fi",
        "ell" => "el",
        "hun" => "hu",
        "ron" => "ro",
        "tur" => "tr",
        "ukr" => "uk",
        "rus" => "ru",
        "cmn" => "zh",
        "jpn" => "ja",
        "hin" => "hi",
        "heb" => "he",
        "bul" => "bg",
        "hrv" => "hr",
        "slk" => "sk",
        "slv" => "sl",
        "est" => "et",
        "lav" => "lv",
        "lit" => "lt",
        "kor" => "ko",
        "tha" => "th",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(text: &str) -> Vec<String> {
        languages_required(&[&Folded::new(text)], Taxonomy::embedded())
    }

    /// Word by word, as `languages_required` read before it had an automaton: each
    /// word of the lowercased text looked up among the names.
    fn required_word_by_word(text: &str) -> Vec<String> {
        let taxonomy = Taxonomy::embedded();
        let lower = text.to_lowercase();
        let mut codes: Vec<String> = Vec::new();
        let mut at = 0;
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            let start = at;
            at += word.len() + lower[at + word.len()..].chars().next().map_or(0, char::len_utf8);
            if word.is_empty() {
                continue;
            }
            let (name, compound) = match word.find(KENNTNIS) {
                Some(i) if i > 0 && word.len() > KENNTNIS.len() => (&word[..i], true),
                _ => (word, false),
            };
            let Some(language) = taxonomy
                .languages
                .iter()
                .find(|l| l.names.iter().any(|n| n.to_lowercase() == name))
            else {
                continue;
            };
            if codes.contains(&language.code) {
                continue;
            }
            if compound || is_requirement(&lower, text, start, name) {
                codes.push(language.code.clone());
            }
        }
        codes
    }

    #[test]
    fn the_automaton_finds_what_looking_up_each_word_finds() {
        let texts = [
            "Sehr gute Deutschkenntnisse und gute Englischkenntnisse; Französischkenntnisse von Vorteil",
            "FLUENT GERMAN REQUIRED. Español nativo. Maîtrise du français exigée.",
            "Hotel Operations Coordinator (German & English Speaking)\nYou speak Dutch at C1 level.",
            "germany, englishman, the german-speaking market; polish your skills; Polish required",
            "Lingue: italiano fluente, inglese buono. Język polski – biegła znajomość wymagana.",
            "Englisch (verhandlungssicher), Deutsch (Muttersprache), Niederländisch wünschenswert",
        ];
        for text in texts.iter().copied().chain(PARAGRAPHS.iter().map(|(_, p)| *p)) {
            assert_eq!(required(text), required_word_by_word(text), "{text}");
        }
        // The title and description searched apart read as the two joined by a line.
        let (title, description) = (
            "Analyst (German speaking)",
            "Fluent English required. Some French.",
        );
        assert_eq!(
            languages_required(
                &[&Folded::new(title), &Folded::new(description)],
                Taxonomy::embedded()
            ),
            required(&format!("{title}\n{description}"))
        );
    }

    #[test]
    fn required_languages_need_a_proficiency_word_nearby() {
        for (text, expected) in [
            ("Fluent German required.", vec!["de"]),
            (
                "Sehr gute Deutschkenntnisse und gute Englischkenntnisse",
                vec!["de", "en"],
            ),
            (
                "Mit verhandlungssicheren Deutschkenntnissen sowie Englischkenntnissen",
                vec!["de", "en"],
            ),
            ("You speak C1 German.", vec!["de"]),
            ("Native French speaker.", vec!["fr"]),
            ("You are business fluent in Dutch.", vec!["nl"]),
            ("English and German at C1 level.", vec!["en", "de"]),
            ("Experience selling into the German market is required.", vec![]),
            ("We are a German company with offices in Berlin.", vec![]),
            ("Help us polish your skills in design.", vec![]),
            ("Polish language skills are a plus.", vec!["pl"]),
            ("Find more English Speaking Jobs in Germany on our board", vec![]),
            (
                "Hotel Operations Coordinator (German & English Speaking)",
                vec!["de", "en"],
            ),
        ] {
            assert_eq!(required(text), expected, "{text}");
        }
    }

    /// A paragraph of a posting in each language the function words settle, written
    /// for these tests.
    const PARAGRAPHS: &[(&str, &str)] = &[
        (
            "en",
            "We are looking for a graduate who wants to grow with our data team. You will work with the people who \
             build our products and learn from them every day. This role is for someone who is curious about numbers \
             and who enjoys explaining what they mean. Our team is small, which means that your work will be seen, \
             and you will have the chance to shape how we use data. If you have studied statistics or economics, or \
             taught yourself, we would love to hear from you.",
        ),
        (
            "de",
            "Wir suchen eine engagierte Person, die unser Team im Bereich Vertrieb unterstützt. Du arbeitest eng mit \
             unseren Kunden zusammen und entwickelst mit uns neue Ideen für unser Wachstum. Bei uns ist jeder Tag \
             anders: Du bist für die Pflege unserer Kundenbeziehungen zuständig und bereitest Angebote vor. Wir bieten \
             dir eine strukturierte Einarbeitung, ein junges Team und flache Hierarchien. Auch wenn du noch nicht alle \
             Anforderungen erfüllst, freuen wir uns auf deine Bewerbung.",
        ),
        (
            "fr",
            "Nous recherchons un stagiaire pour rejoindre notre équipe marketing à Paris. Vous participerez à la \
             création des campagnes et vous travaillerez avec nos équipes commerciales sur les lancements de produits. \
             Vous serez accompagné par une responsable qui vous aidera à développer vos compétences. Nos bureaux sont \
             situés au cœur de la ville et nous proposons des horaires flexibles ainsi que deux jours de télétravail \
             par semaine. Cette offre est ouverte aux étudiants en école de commerce.",
        ),
        (
            "es",
            "Buscamos una persona en prácticas para nuestro equipo de finanzas en Madrid. Trabajarás con los \
             responsables de contabilidad y aprenderás cómo funcionan los cierres mensuales y las previsiones. El \
             puesto es ideal para estudiantes de último año que quieran crecer en un entorno internacional. Ofrecemos \
             un horario flexible, formación continua y un ambiente muy colaborativo. Nuestra oficina está en el centro \
             de la ciudad y también puedes trabajar desde casa dos días a la semana.",
        ),
        (
            "it",
            "Siamo alla ricerca di un giovane laureato che voglia entrare nel nostro team di analisi dei dati a \
             Milano. Il candidato lavorerà a stretto contatto con i responsabili delle vendite e degli acquisti per \
             migliorare la qualità delle previsioni. Offriamo un percorso di formazione strutturato e la possibilità \
             di lavorare da remoto due giorni alla settimana. Anche chi non ha esperienza può candidarsi: sono \
             richieste curiosità, precisione e una buona conoscenza di Excel. La nostra sede è nella zona centrale.",
        ),
        (
            "nl",
            "Wij zoeken een enthousiaste stagiair voor ons marketingteam in Amsterdam. Je werkt samen met onze \
             contentmakers en helpt bij het opzetten van campagnes voor nieuwe producten. Bij ons krijg je veel ruimte \
             om te leren en wordt je begeleid door een ervaren collega. Wat wij bieden: een goede stagevergoeding, een \
             laptop en een informele werksfeer. Heb je nog niet alle ervaring die we vragen? Geen probleem. Ook \
             studenten die binnenkort afstuderen zijn van harte welkom.",
        ),
        (
            "pt",
            "Estamos à procura de um estagiário para a nossa equipa de operações em Lisboa. Você vai trabalhar com \
             os responsáveis de logística e apoiar a gestão dos fornecedores. Não é necessária experiência anterior: \
             oferecemos formação completa e um acompanhamento próximo ao longo do estágio. A nossa empresa tem \
             escritórios em três países e os nossos valores são a transparência e a colaboração. Também valorizamos \
             a sua vontade de aprender e a sua capacidade de comunicar.",
        ),
        (
            "pl",
            "Szukamy osoby na staż w naszym dziale finansów w Warszawie. Praca polega na wsparciu zespołu \
             księgowego oraz przygotowywaniu raportów dla kierownictwa. Oferujemy elastyczne godziny pracy, \
             szkolenia oraz możliwość pracy zdalnej przez dwa dni w tygodniu. Nie wymagamy doświadczenia, ale ważne \
             jest, że potrafisz pracować samodzielnie. Ten staż jest dla studentów lub absolwentów, którzy chcą \
             rozwijać się w międzynarodowej firmie. Zgłoszenia przyjmujemy przez formularz.",
        ),
        (
            "sv",
            "Vi söker en nyexaminerad ekonom till vårt kontor i Stockholm. Som trainee kommer du att arbeta med \
             budget och uppföljning och få en inblick i hur ett stort företag styrs. Du är nyfiken, noggrann och \
             tycker om att samarbeta med andra. Vi erbjuder ett tvåårigt program med rotationer inom olika \
             avdelningar och en mentor som följer dig under hela tiden. Välkommen med din ansökan, vi ser fram emot \
             att höra från dig!",
        ),
    ];

    #[test]
    fn function_words_settle_a_paragraph_only_as_the_detector_would() {
        for (code, text) in PARAGRAPHS {
            assert_eq!(function_word_vote(text), Some(*code), "{text}");
            assert_eq!(detected_language(text).as_deref(), Some(*code), "{text}");
            assert_eq!(description_language(text).as_deref(), Some(*code), "{text}");
        }
    }

    #[test]
    fn function_words_leave_placeholder_mixed_and_danish_text_to_the_detector() {
        let lorem = "Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy eirmod tempor invidunt \
            ut labore et dolore magna aliquyam erat, sed diam voluptua. At vero eos et accusam et justo duo dolores et \
            ea rebum. Stet clita kasd gubergren, no sea takimata sanctus est Lorem ipsum dolor sit amet. Lorem ipsum \
            dolor sit amet, consetetur sadipscing elitr, sed diam nonumy eirmod tempor invidunt ut labore et dolore \
            magna aliquyam erat, sed diam voluptua. At vero eos et accusam et justo duo dolores et ea rebum.";
        let danish = "Vi søger en nyuddannet økonom til vores kontor i København. Du vil arbejde med budgetter og \
            opfølgning og få et indblik i, hvordan en stor virksomhed styres. Du er nysgerrig, grundig og kan lide at \
            samarbejde med andre. Vi tilbyder et toårigt program med rotationer i forskellige afdelinger og en mentor, \
            som følger dig hele vejen. Vores medarbejdere har også mulighed for at arbejde hjemmefra to dage om ugen.";
        let (_, english) = PARAGRAPHS[0];
        let (_, german) = PARAGRAPHS[1];
        let mixed = format!("{}\n{}", &english[..280], &german[..280]);
        for text in [lorem, danish, &mixed] {
            assert_eq!(function_word_vote(text), None, "{text}");
        }
        assert_eq!(description_language(lorem), None);
        assert_eq!(description_language(danish), detected_language(danish));
    }

    #[test]
    fn the_description_language_is_detected_only_on_long_enough_text() {
        let german = "Wir suchen eine engagierte Persönlichkeit, die unser Team im Bereich Vertrieb unterstützt. \
            Du arbeitest eng mit unseren Kunden zusammen und entwickelst neue Ideen für unser Wachstum in ganz Deutschland.";
        assert_eq!(description_language(german).as_deref(), Some("de"));
        assert_eq!(description_language("Berlin office"), None);
        assert_eq!(
            stated_language("de-DE", Taxonomy::embedded()).as_deref(),
            Some("de")
        );
        assert_eq!(
            stated_language("French", Taxonomy::embedded()).as_deref(),
            Some("fr")
        );
    }
}
