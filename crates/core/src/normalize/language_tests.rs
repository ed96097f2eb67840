//! Tests for required languages and the description's language.

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
        if codes.contains(&language.code) || wished_for(&lower, start, start + name.len()) {
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
        ("Polish language skills are required.", vec!["pl"]),
        ("Polish language skills are a plus.", vec![]),
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

#[test]
fn a_language_in_a_wishing_clause_is_not_required() {
    let required = |text: &str| languages_required(&[&Folded::new(text)], Taxonomy::embedded());
    assert_eq!(required("Deutsch fließend, Englisch von Vorteil"), vec!["de"]);
    assert_eq!(
        required("Sehr gute Deutschkenntnisse (C1); Englischkenntnisse sind von Vorteil."),
        vec!["de"]
    );
    assert_eq!(
        required("Gute Deutschkenntnisse - Englisch B1 ist gewünscht"),
        vec!["de"]
    );
    assert_eq!(required("Fluent English required. French is a plus."), vec!["en"]);
    assert_eq!(required("Anglais courant, l'espagnol serait un plus"), vec!["en"]);
    assert!(required("Dein Deutsch ist idealerweise auf Muttersprache-Level.").is_empty());
}
