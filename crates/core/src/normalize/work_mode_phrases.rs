//! The phrases [`super::work_mode`] reads, as regex sources, in English, German, French,
//! Spanish, Dutch, Italian and Polish. Each family is written out once here, so that a
//! reader can see at a glance what counts as "hybrid" and what does not.

/// A way-of-working word "hybrid" in any of the languages ("hybride", "híbrido",
/// "ibrido", "hybrydowa", "hybrides").
const HYBRID: &str = r"(?:hybrid(?:e[snmr]?)?|h[ií]brid[oa]s?|ibrid[oa]|hybrydow(?:a|y|e|ej|ym|ego|o))";

/// A small number of days (1 to 4, or a range): five days in the office is not hybrid.
const FEW: &str = r"(?-u:\b)(?:[1-4](?:[.,]5)?(?:\s*(?:-|–|to|bis|à|a|or|oder|ou|o|of|lub)\s*[1-4])?|one|two|three|four|a couple of|ein(?:en)?|zwei|drei|vier|un|une|deux|trois|quatre|uno|una|dos|tres|cuatro|een|twee|drie|due|tre|quattro|jeden|jedna|dwa|dwóch|trzy|trzech|cztery)";

const FIVE: &str = r"(?-u:\b)(?:5|five|fünf|cinq|cinco|vijf|cinque|pięć)";

const DAYS: &str =
    r"(?:days?|tage?n?|jours?|journ[ée]es?|d[ií]as?|dag(?:en)?|giorn[oi]|dni|dzie[nń])(?-u:\b)";

/// A few words between two parts of a phrase ("2 days per week *working* from home").
const GAP2: &str = r"(?:\s+[^\s.;]+){0,2}\s*";
const GAP3: &str = r"(?:\s+[^\s.;]+){0,3}\s*";
const GAP6: &str = r"(?:\s+[^\s.;]+){0,6}\s*";

/// "a week", "pro Woche", "par semaine", "/week".
const A_WEEK_SAID: &str = r"\s*(?:a|per|each|every|/|pro|die|in der|par|por|a la|w|na|la|alla|nella|in de)?\s*(?:week|woche|semaine|semana|settimana|tydzie[nń]|tygodniu)(?-u:\b)";

/// [`A_WEEK_SAID`] or nothing.
const A_WEEK: &str = r"(?:\s*(?:a|per|each|every|/|pro|die|in der|par|por|a la|w|na|la|alla|nella|in de)?\s*(?:week|woche|semaine|semana|settimana|tydzie[nń]|tygodniu)(?-u:\b))?";

/// Where a day of work is spent: an office after a preposition ("in the office", "im
/// Büro", "op kantoor"), or a word that is a way of working on its own.
const PLACE: &str = r"(?:(?:in|at|from|im|ins|au|en|op|naar|w|z|in de|dans|al|nel|nell['’]|in ufficio)\s+(?:the\s+|our\s+|le\s+|la\s+|l['’]|het\s+|unserem\s+|unser\s+)?(?:office|b[üu]ro|bureau|oficina|kantoor|ufficio|biurze|biura|agence|sede)|in[- ]office|on[- ]?site|onsite|from home|at home|home[- ]?office|homeoffice|home[- ]?working|wfh|remote(?:ly)?|b[üu]ropr[äa]senz|vor[- ]ort|mobil(?-u:\b)|mobile[snr]?\s+arbeit|pr[äa]senz|anwesenheit|t[ée]l[ée]travail|tt(?-u:\b)|sur site|pr[ée]sentiel|teletrabajo|presencial|remoto|desde casa|thuis|vanuit huis|op afstand|smart[- ]working|in presenza|in sede|zdaln|stacjonarn|telework)";

/// A way of working named before a number of days ("Télétravail : 2 jours", "in the
/// office 2 days a week", "Homeoffice: bis zu 2 Tage").
const PLACE_FIRST: &str = r"(?:home[- ]?office|homeoffice|remote|t[ée]l[ée]travail|teletrabajo|telework\w*|smart[- ]working|thuiswerk\w*|wfh|on[- ]?site|onsite|in (?:the |our )?office|in[- ]office|im b[üu]ro|vor[- ]ort|pr[ée]sentiel|presencial|sur site|au bureau|op kantoor|in ufficio|w biurze)";

/// Clauses that mention a way of working without describing this job's: a workation or
/// weeks abroad, equipment and allowances for a home office, the UK's Home Office,
/// technology called hybrid, links to other remote jobs.
pub(super) const NOT_ABOUT_THIS_JOB: &[&str] = &[
    r"[^.;!?\n]*(?:workation|work(?:ing)? from abroad|aus dem (?:eu-)?ausland|from abroad|depuis l['’]étranger|desde el extranjero|vanuit het buitenland|dall['’]estero|z zagranicy|(?:up to|bis zu|jusqu['’]à|hasta|tot)\s+\d+\s+(?:days|weeks|tage|wochen|jours|semaines|d[ií]as|semanas|dagen|weken)\s+(?:per|a|im|pro|par|al|por|an|in het)\s+(?:year|jahr|an|ann[ée]e|a[ñn]o|jaar))[^.;!?\n]*",
    r"(?:home[- ]?office|homeoffice|remote[- ]work(?:ing)?|work(?:ing)?[- ]from[- ]home|wfh|t[ée]l[ée]travail|teletrabajo|thuiswerk)[- ]?(?:equipment|set[- ]?up|budget|allowance|stipend|ausstattung|pauschale|zuschuss|einrichtung|vergoeding|kit|furniture|costs?)",
    r"(?-u:\b)(?:budget|allowance|stipend|equipment|zuschuss|pauschale|ausstattung|einrichtung|indemnit[ée]|forfait|prime|vergoeding|ayuda|furniture|kit){GAP6}(?:home[- ]?office|homeoffice|remote[- ]work(?:ing)?|work(?:ing)?[- ]from[- ]home|t[ée]l[ée]travail|teletrabajo|thuiswerk\w*)",
    r"(?-u:\b)the\s+home\s+office(?-u:\b)",
    r"(?-u:\b)home\s+office\s+(?:visa|sponsor|licen[cs]|approv|regulation|guidance|rules|requirements|immigration|compliance|vetting|clearance|checks?(?-u:\b)|right to work)",
    r"(?-u:\b)office\s+based\s+(?:in|at|near|on|out of)(?-u:\b)",
    r"h?[yií]brid\w*[\s-]+(?:multi[- ]?)?(?:cloud|it|infra\w*|environments?|umgebung\w*|system\w*|solution\w*|l[öo]sung\w*|apps?|application\w*|architect\w*|network\w*|netzwerk\w*|deploy\w*|integration\w*|data|daten|vehicles?|fahrzeug\w*|cars?|engines?|antrieb\w*|electric\w*|energy|energie\w*|power\w*|technolog\w*|search|storage|events?|veranstaltung\w*|mobile|warfare|threats?|seeds?|heating|heat|pumps?|w[äa]rmepump\w*|learning|teaching|training|kurs\w*|classes|courses?|cours|formation|formaci[óo]n|ai|ki|quantum|computing|electronics|workloads?|kubernetes|approach(?:es)?|methods?|modell?ing|algorithm\w*|nlp|rag|retrieval)(?-u:\b)",
    r"(?:electric\w*|elektr\w*|[ée]lectri\w*|el[ée]ctric\w*|plug-in|mild)\s*(?:&|and|und|et|y|e|/|,|-)?\s*h?[yií]brid\w*",
    r"h?[yií]brid\w*\s*(?:&|and|und|et|y|/|,)\s*(?:electric|elektr|[ée]lectri|el[ée]ctric)\w*",
    r"(?-u:\b)(?:post|find|browse|search|more|other|similar|latest|all|see)\s+(?:\w+\s+)?remote\s+(?:jobs?|roles?|positions?|vacancies)(?-u:\b)",
];

/// "Not fully remote": a mix, said by denying the whole.
pub(super) const NOT_FULLY_REMOTE: &[&str] = &[
    r"(?-u:\b)(?:pas|sans|kein(?:e|en)?|no|sin|geen)\s+(?:de\s+|du\s+)?(?:full[- ]remote|100\s*%\s*(?:remote|t[ée]l[ée]travail|home[- ]?office|homeoffice|teletrabajo)|t[ée]l[ée]travail\s+(?:complet|total|[àa]\s*100)|reine[ns]?\s+remote)",
    r"(?-u:\b)(?:not|nicht|pas|niet|non|nie)\s+(?:\w+\s+)?(?:fully|100\s*%|full|komplett|vollst[äa]ndig|enti[èe]rement|totalmente|volledig|completamente|w pe[łl]ni)[- ]?(?:remote|t[ée]l[ée]travail|remoto|zdaln)",
];

/// Only in the office: remote work refused, or the office every working day.
pub(super) const OFFICE_ONLY: &[&str] = &[
    r"(?-u:\b)(?:no|not|non)[- ](?:a\s+)?(?:remote|hybrid|wfh|work from home|home[- ]?working)(?:\s+(?:role|position|job|work|working|option|possible))?(?:\s|[.,;!)]|$)",
    r"(?-u:\b)(?:cannot|can't|can’t|can not|unable to|do not|don't|don’t|does not|doesn't|doesn’t|won't|will not|not able to)\s+(?:offer|provide|support|accommodate|consider)\s+(?:any\s+)?(?:(?:remote|hybrid)\s+(?:work(?:ing)?|options?|arrangements?)|home[- ]?working|work(?:ing)? from home)",
    r"(?-u:\b)kein(?:e|en)?\s+(?:remote|home[- ]?office|homeoffice|mobile[sn]? arbeit|hybrid)",
    r"(?:home[- ]?office|homeoffice|remote(?:[- ]arbeit)?|mobiles arbeiten|t[ée]l[ée]travail|teletrabajo|thuiswerken|smart working|praca zdalna)\s+(?:ist\s+|is\s+|es\s+|n['’]est\s+)?(?:leider\s+)?(?:nicht möglich|not possible|pas possible|non possible|impossible|no es posible|niet mogelijk|non (?:è )?possibile|nie jest możliwa)",
    r"(?-u:\b)(?:pas|sans|aucun)\s+(?:de\s+)?t[ée]l[ée]travail",
    r"(?-u:\b)(?:sin|no hay|no ofrecemos|no se ofrece)\s+(?:posibilidad de\s+)?(?:teletrabajo|trabajo remoto)",
    r"(?-u:\b)geen\s+(?:thuiswerk\w*|remote|hybride)",
    r"(?-u:\b)(?:nessun|niente|senza)\s+(?:smart[- ]working|lavoro da remoto)",
    r"(?-u:\b)(?:brak|bez)\s+(?:możliwości\s+)?pracy\s+zdalnej",
    r"{FIVE}\s*{DAYS}{A_WEEK}{GAP3}(?:in (?:the |our )?office|in[- ]office|at (?:the |our )?office|on[- ]?site|onsite|im b[üu]ro|vor[- ]ort|au bureau|sur site|en pr[ée]sentiel|en (?:la )?oficina|presencial|op kantoor|in ufficio|in presenza|in sede|w biurze)",
    r"(?:in (?:the |our )?office|in[- ]office|on[- ]?site|onsite|im b[üu]ro|vor[- ]ort|au bureau|sur site|en (?:la )?oficina|op kantoor|in ufficio|w biurze){GAP3}{FIVE}\s*{DAYS}",
    r"(?-u:\b)(?:100\s*%|fully|full[- ]time|entirely|exclusively|ausschlie[ßs]lich|komplett|vollst[äa]ndig)\s+(?:on[- ]?site|onsite|in[- ]office|office[- ]based|in the office|pr[ée]sentiel|presencial|vor[- ]ort|im b[üu]ro|in presenza|in sede|op kantoor|stacjonarn)",
    r"(?-u:\b)office[- ]first(?-u:\b)",
    r"(?-u:\b)(?:monday|montag|lundi|lunes|maandag|luned[iì]|poniedzia[łl]ek)\w*\s*(?:to|-|–|bis|au|a|tot|al|do)\s*(?:friday|freitag|vendredi|viernes|vrijdag|venerd[iì]|pi[ąa]t)\w*{GAP3}(?:in (?:the |our )?office|on[- ]?site|onsite|im b[üu]ro|vor[- ]ort|au bureau|sur site|en (?:la )?oficina|op kantoor|in ufficio|w biurze)",
    r"(?:in (?:the |our )?office|on[- ]?site|onsite|im b[üu]ro|vor[- ]ort|au bureau|sur site|en (?:la )?oficina|op kantoor|in ufficio|w biurze)\s*,?\s*(?:from\s+|von\s+|du\s+|de\s+|van\s+|dal\s+|od\s+)?(?:monday|montag|lundi|lunes|maandag|luned[iì]|poniedzia[łl]ek)\w*\s*(?:to|-|–|bis|au|a|tot|al|do)\s*(?:friday|freitag|vendredi|viernes|vrijdag|venerd[iì]|pi[ąa]t)",
];

/// Fully remote, which stands even where a hybrid option is offered beside it ("100 %
/// remote or hybrid").
pub(super) const FULLY_REMOTE: &[&str] = &[
    r"(?-u:\b)(?:fully|100\s*%|full[- ]?time|completely|entirely|totally|permanently|full|all|(?:vollst[äa]ndig|komplett|voll|ausschlie[ßs]lich|rein)(?:e[snmr]?)?|compl[èe]tement|enti[èe]rement|totalement|int[ée]gralement|totalmente|completamente|volledig|helemaal|w pe[łl]ni|ca[łl]kowicie)[- ]?(?:remote(?:ly)?|im home[- ]?office|aus dem home[- ]?office|im homeoffice|mobile[sn]?\s+arbeit\w*|en t[ée]l[ée]travail|t[ée]l[ée]travail|[àa] distance|en remoto|remoto|teletrabajo|op afstand|thuis|vanuit huis|da remoto|in smart[- ]working|smart[- ]working|zdaln\w*)(?-u:\b)",
    r"(?-u:\b)100\s*%\s+(?:\w+\s+){1,2}(?:remote|im home[- ]?office|im homeoffice|mobile[sn]?\s+arbeit\w*|en t[ée]l[ée]travail|teletrabajo|zdaln\w*)(?-u:\b)",
    r"t[ée]l[ée]travail\s+(?:complet|total|int[ée]gral|[àa] 100\s*%|100\s*%)",
    r"(?-u:\b)teletrabajo\s+(?:100\s*%|total|completo)",
    r"(?-u:\b)remote[- ]only(?-u:\b)",
    r"(?-u:\b)work(?:ing)?\s+from\s+anywhere(?-u:\b)",
    r"(?-u:\b)remote(?:ly)?\s+(?:from\s+anywhere|full[- ]time|100\s*%)",
    r"(?-u:\b)work(?:ing)?\s+from\s+home\s+(?:full[- ]time|permanently|100\s*%)",
];

/// Statements of a mix: "hybrid" as a way of working, days in and out of the office,
/// an option to work from home.
pub(super) const HYBRID_PHRASES: &[&str] = &[
    // "hybrid working", "hybrid role", "Hybridmodell", "hybrides Arbeiten", "travail hybride".
    r"(?-u:\b){HYBRID}[\s-]*(?:work(?:ing|s|place)?|role|position|job|model|modell|modalit\w*|modèle|modelo|modello|arrangement|set-?up|schedule|pattern|policy|basis|way|office|opportunity|options?|arbeit\w*|regelung|home[- ]?office|homeoffice|werk(?:en|model|omgeving|wijze|plek)|trabajo|jornada|esquema|lavoro|praca|pracy|tryb\w*|poste|travail|organisation|rythme|t[ée]l[ée]travail)(?-u:\b)",
    // "work in a hybrid way", "Travail en hybride", "the role is hybrid", "w trybie hybrydowym".
    r"(?-u:\b)(?:work(?:s|ing)?|arbeite\w*|travail\w*|trabaj\w*|lavor\w*|werk(?:en|t)?|prac\w*|role|position|job|stelle|poste|puesto|modalidad|modalit[àa]|trybie|en|is|are|be|ist|est|es|jest)\s+(?:in\s+|en\s+|im\s+|w\s+)?(?:(?:a|an|un|une|einem?|una|uno)\s+)?(?:fully\s+|flexibel\s+|flexible\s+)?{HYBRID}(?-u:\b)",
    // "Paris (Hybrid)", "| Hybrid (2 days…) |", "(présentiel ou hybride)", a line "Hybrid".
    r"\(\s*{HYBRID}\s*[)/,:–-]",
    r"\([^()\n]*?(?:pr[ée]sentiel|on[- ]?site|office|b[üu]ro|remote|t[ée]l[ée]travail|presencial|vor[- ]ort)\s*(?:ou|or|oder|o|of|lub|/|,|&|and|et|und|y)\s*{HYBRID}\s*\)",
    r"(?m)(?:^|[|•·–:-])\s*{HYBRID}\s*(?:$|[|•·(–:-])",
    r"(?:\s[-–—]|[|•·,])\s*{HYBRID}\s*(?:$|[.;,|(–:-]|\s+(?-i:[A-Z£€$\d]))",
    r"(?-u:\b){HYBRID}\s+(?:and|&|und|et|y|e|en)\s+flexib\w*\s+(?:work\w*|arbeit\w*|travail|trabajo|lavoro|werken)",
    // Days: "2 days in the office", "3 Tage/Woche vor Ort", "2 jours de télétravail".
    r"{FEW}\s*{DAYS}(?:{A_WEEK_SAID}{GAP3}|{GAP2}){PLACE}",
    r"{FEW}\s*(?:remote|office|home|homeoffice|home office|t[ée]l[ée]travail|remoto|thuiswerk|smart[- ]working|wfh)\s*{DAYS}",
    r"{PLACE_FIRST}\s*[:(]?{GAP2}{FEW}\s*{DAYS}",
    r"(?-u:\b)(?:once|twice|one day|two days)\s+(?:a|per|every\s+(?:\d|two|other))\s+(?:weeks?|months?|fortnight){GAP2}(?:in (?:the |our )?office|on[- ]?site|onsite|in[- ]office)",
    r"(?:in (?:the |our )?office|in[- ]office|on[- ]?site|onsite){GAP2}(?:once|twice)\s+(?:a|per|every)\s+(?:week|month|fortnight)",
    r"(?:in (?:the |our )?office|in[- ]office|on[- ]?site|onsite|im b[üu]ro|vor[- ]ort|au bureau|sur site)\s*(?:on\s+|every\s+|on every\s+|am\s+|le\s+|les\s+)*(?:tuesdays?|wednesdays?|thursdays?|dienstags?|mittwochs?|donnerstags?|mardis?|mercredis?|jeudis?)",
    // Shares: "bis zu 50 % Homeoffice", "50%igen Anwesenheit".
    r"(?-u:\b)[1-9]\d?\s*%\s*(?:ige[nr]?\s+)?(?:home[- ]?office|homeoffice|remote|mobile[sn]? arbeit|pr[äa]senz|anwesenheit|vor[- ]ort|t[ée]l[ée]travail|teletrabajo|presencial|smart[- ]working|thuiswerk|on[- ]?site|in[- ]office|office)",
    r"(?-u:\b)(?:some|partial|regular|occasional)\s+(?:in[- ]office|office|on[- ]?site)\s+(?:working|work|attendance|presence|days|time)(?-u:\b)",
    // An option: "option to work from home", "Homeoffice möglich", "mobiles Arbeiten".
    r"(?-u:\b)(?:option|options|possibility|possibilities|opportunity|opportunities|flexibility|chance|freedom|choice)\s+(?:of\s+|to\s+|for\s+)?(?:\w+\s+)?(?:work(?:ing)?\s+)?(?:from\s+home|remotely|remote|hybrid|home[- ]?working|wfh)(?-u:\b)",
    r"(?-u:\b)(?:work(?:ing)?\s+from\s+home|wfh|home[- ]?working|remote\s+work(?:ing)?|home[- ]?office)\s+(?:options?|possible|flexibility|available|allowed|days?|opportunit\w+|policy|arrangements?|schemes?)(?-u:\b)",
    r"(?-u:\b)(?:partial|partly|partially|some|occasional|optional|semi)[- ]?(?:remote|home[- ]?working|work(?:ing)? from home|wfh)(?-u:\b)",
    r"(?:home[- ]?office|homeoffice)[- ]?(?:m[öo]glich|option|regelung|anteil|tage?n?(?-u:\b)|quote|angebot|tag(?-u:\b))",
    r"(?-u:\b)(?:m[öo]glichkeit\w*|option\w*|angebot)\s+(?:\w+\s+){0,2}(?:zu[mr]?\s+|f[üu]r\s+|auf\s+|von\s+|im\s+)?(?:\w+\s+)?(?:mobile[mnsr]?\s+arbeit|home[- ]?office|homeoffice|remote|hybrid|ortsunabh)",
    r"(?-u:\b)mobile[sn]?\s+arbeit",
    r"(?-u:\b)(?:anteilig|teilweise|tageweise|gelegentlich|flexibel)\w*\s+(?:im\s+)?(?:home[- ]?office|homeoffice|mobile[sn]? arbeit|remote|von zu ?hause)",
    r"(?:home[- ]?office|homeoffice|remote|mobiles arbeiten)\s+(?:ist\s+)?(?:nach absprache|m[öo]glich)",
    r"(?-u:\b)remote[- ]?(?:m[öo]glichkeit|option|anteil)",
    r"(?:b[üu]ro|office)\w*(?-u:\b)[^.;\n]*?(?:und/oder|and/or|oder)\s+(?:\w+\s+)?(?:remote|home[- ]?office|homeoffice|hybrid)",
    r"t[ée]l[ée]travail\s+(?:partiel|possible|hybride|occasionnel|flexible|ponctuel|autoris[ée]|accept[ée]|selon|partiellement|r[ée]gulier|encadr[ée]|n[ée]gociable|\d|un(?-u:\b)|une(?-u:\b)|deux|trois|quelques|jusqu)",
    r"(?-u:\b)(?:jours?|journ[ée]es?)\s+(?:de\s+)?t[ée]l[ée]travail",
    r"(?-u:\b)ouvert\w*\s+au\s+t[ée]l[ée]travail",
    r"(?:possibilit[ée]|option|politique|accord|charte|rythme)\s+de\s+t[ée]l[ée]travail",
    r"(?-u:\b)remote\s+partiel",
    r"(?-u:\b)telework\w*\s*:?\s*(?:\d|one|two|three|four|partial)",
    r"(?-u:\b)teletrabajo\s+(?:parcial|flexible|h[ií]brido|mixto|\d|dos|tres|un(?-u:\b)|algunos|opcional|posible)",
    r"(?-u:\b)d[ií]as?\s+(?:de\s+)?teletrabajo",
    r"(?:posibilidad|opci[óo]n)\s+de\s+(?:teletrabajo|trabajo\s+(?:en\s+)?remoto|trabajar\s+(?:en\s+remoto|desde\s+casa))",
    r"(?-u:\b)(?:modelo|modalidad|r[ée]gimen|esquema|formato|jornada|trabajo)\s+(?:de\s+trabajo\s+)?(?:h[ií]brid[oa]|mixt[oa])",
    r"(?-u:\b)(?:deels|gedeeltelijk\w*|af en toe|soms)\s+(?:\w+\s+)?(?:thuis|remote|op afstand|vanuit huis)",
    r"(?-u:\b)thuiswerk\w*\s+(?:is\s+)?(?:mogelijk|dagen?|beleid|regeling|optie)",
    r"(?-u:\b)(?:mogelijkheid|ruimte)\s+(?:tot|om|voor)\s+(?:\w+\s+)?(?:thuis\s*werken|thuis te werken|thuiswerk|remote|op afstand)",
    r"(?-u:\b)smart[- ]working\s+(?:parziale|\d|flessibile|fino)",
    r"(?-u:\b)giorn[oi]\s+(?:di\s+|a\s+settimana\s+(?:di\s+|in\s+)?)?(?:smart[- ]working|remoto)",
    r"possibilit[àa]\s+di\s+(?:smart[- ]working|lavorare\s+da\s+remoto|lavoro\s+da\s+remoto)",
    r"możliwość\s+pracy\s+zdalnej",
    r"częściowo\s+zdaln",
];

/// Remote: a remote role, remote-first, "Location: Remote".
pub(super) const REMOTE_PHRASES: &[&str] = &[
    r"(?-u:\b)remote(?:ly)?[- ](?:first|based)(?-u:\b)",
    r"(?-u:\b)remote\s+(?:work(?:ing)?\s+)?(?:role|position|job|opportunity|contract|basis|internship|placement|vacancy)(?-u:\b)",
    r"(?-u:\b)(?:role|position|job|opportunity)s?\s+(?:is|are|will\s+be)\s+(?:fully\s+|100\s*%\s+|entirely\s+|all\s+)?remote(?-u:\b)",
    r"(?-u:\b)remote\s+(?:in|within|from)\s+(?:the\s+)?(?-i:[A-Z])",
    r"(?-u:\b)or\s+remote(?:ly)?\s+from(?-u:\b)",
    r"(?-u:\b)remote(?:ly)?\s+from\s+home(?-u:\b)",
    r"(?-u:\b)home[- ]?(?:office[- ])?based(?-u:\b)",
    r"(?-u:\b)home[- ]?office\s+(?:role|position|job)(?-u:\b)",
    r"(?-u:\b)work[- ]from[- ]home\s+(?:role|position|job|opportunity)(?-u:\b)",
    r"\(\s*(?:fully\s+|100\s*%\s*)?remote\s*[)–—,:/-]",
    r"(?m)(?:^|\s[-–—]|[|•·])\s*(?:fully\s+|100\s*%\s*)?remote\s*(?:$|[|•·(])",
    r"(?m)^\s*work(?:ing)?\s+remotely\s*$",
    r"(?-u:\b)remote[- ](?:stelle|job|position|t[äa]tigkeit)(?-u:\b)",
    r"(?-u:\b)ortsunabh[äa]ngig",
    r"(?-u:\b)(?:deutschlandweit|bundesweit|europaweit|weltweit)\s+(?:remote|im\s+home[- ]?office|aus\s+dem\s+home[- ]?office)",
    r"(?-u:\b)(?:poste|travail|emploi|mission)\s+(?:\w+\s+)?(?:en\s+)?(?:remote|t[ée]l[ée]travail|[àa]\s+distance)(?-u:\b)",
    r"(?-u:\b)(?:trabajo|puesto|posici[óo]n|empleo|modalidad)\s+(?:\w+\s+)?(?:en\s+)?remot[oa](?-u:\b)",
    r"(?-u:\b)(?:werken|werk)\s+(?:op\s+afstand|remote)(?-u:\b)",
    r"(?-u:\b)remote\s+(?:functie|baan)(?-u:\b)",
    r"(?-u:\b)(?:lavoro|lavorare|attivit[àa]|posizione|ruolo)\s+(?:\w+\s+)?da\s+remoto",
    r"(?-u:\b)prac\w*\s+(?:\w+\s+)?zdaln",
];

/// In the office: an on-site role, office-based, "(Vor Ort)", "mission sur site".
pub(super) const OFFICE_PHRASES: &[&str] = &[
    r"(?-u:\b)on[- ]?site\s+(?:role|position|job|only|basis|presence|working)(?-u:\b)",
    r"(?-u:\b)(?:is|be|are|work|working|works|based)\s+(?:fully\s+|100\s*%\s+|entirely\s+)?on[- ]?site(?-u:\b)",
    r"(?-u:\b)office[- ]based(?-u:\b)",
    r"(?-u:\b)in[- ](?:office|person)\s+(?:role|position|job)(?-u:\b)",
    r"(?:(?-u:\b)we(?:'re|’re|\s+are)|(?-u:\b)work|(?-u:\b)working|(?-u:\b)works|(?-u:\b)be)\s+(?:fully\s+)?in[- ]person(?-u:\b)",
    r"(?-u:\b)(?:required|expected|need|needs|must)\s+(?:to\s+)?(?:work|be)\s+(?:from|in|at)\s+(?:the|our)\s+office(?-u:\b)",
    r"(?m)(?:^|[|•·])\s*(?:on[- ]?site|vor[- ]ort|office[- ]based)\s*(?:$|[|•·])",
    r"\(\s*(?:on[- ]?site|vor[- ]ort)\s*\)",
    r"(?-u:\b)vor[- ]ort[- ](?:t[äa]tigkeit|job|stelle|pr[äa]senz|arbeit)",
    r"(?-u:\b)pr[äa]senz(?:pflicht|t[äa]tigkeit|job|stelle)",
    r"(?-u:\b)(?:arbeitest|arbeiten|arbeite|t[äa]tig)\s+(?:du\s+|sie\s+)?(?:\w+\s+)?vor[- ]ort\s+(?:in|im|an)\s+(?:unserem|unserer|dem|der)\s+(?:b[üu]ro|standort|office|werk|filiale|zentrale|niederlassung)",
    r"(?-u:\b)(?:poste|travail|mission|emploi|job|r[ôo]le)\s+(?:\w+\s+)?(?:en|sur)\s+(?:pr[ée]sentiel|site)(?-u:\b)",
    r"pr[ée]sentiel\s+(?:obligatoire|[àa]\s+100|total|complet|uniquement|exclusi)",
    r"(?-u:\b)(?:trabajo|puesto|modalidad|jornada|posici[óo]n|empleo)\s+(?:\w+\s+)?presencial",
    r"(?-u:\b)(?:volledig|fulltime|100\s*%)\s+op\s+(?:kantoor|locatie)",
    r"(?-u:\b)(?:lavoro|attivit[àa]|modalit[àa]|posizione|ruolo)\s+(?:\w+\s+)?in\s+(?:presenza|sede|ufficio)(?-u:\b)",
    r"(?-u:\b)prac[ay]\s+stacjonarn",
    r"(?-u:\b)stacjonarnie",
    r"(?-u:\b)prac[ay]\s+(?:w|z)\s+biur",
];

/// A labelled field in the text: "Location: Remote", "Mode of work : Hybrid",
/// "Arbeitsmodell: Vor Ort". The value is captured.
pub(super) const LABELLED: &str = r"(?-u:\b)(?:location|work\s*location|workplace(?:\s+type)?|work(?:ing)?\s+(?:model|mode|arrangement|type|setup|set-up|style|pattern|policy)|mode\s+of\s+work(?:ing)?|remote\s+status|arbeitsort|einsatzort|arbeitsmodell|arbeitsweise|standort|lieu(?:\s+de\s+travail)?|localisation|mode\s+de\s+travail|ubicaci[óo]n|modalidad(?:\s+de\s+trabajo)?|lugar\s+de\s+trabajo|locatie|werklocatie|luogo\s+di\s+lavoro|modalit[àa]\s+di\s+lavoro|lokalizacja|miejsce\s+pracy|tryb\s+pracy|forma\s+pracy)\s*[:：]\s*(?:100\s*%\s*|fully\s+|full\s+)?(?P<value>remote|hybrid|hybride|h[ií]brido|ibrido|hybrydowa|on[- ]?site|onsite|in[- ]office|office[- ]based|vor[- ]ort|remoto|da remoto|presencial|pr[ée]sentiel|t[ée]l[ée]travail|zdalna|zdalnie|stacjonarna)(?-u:\b)";

/// "remote/hybrid", "Remote oder Hybrid": either, which says less than either alone.
pub(super) const EITHER: &str = r"(?-u:\b)remote\w*\s*(?:/|or|oder|ou|o|of|lub|&|and|und)\s*(?:\w+\s+)?h?[yií]brid\w*|h?[yií]brid\w*\s*(?:/|or|oder|ou|o|of|lub|&|and|und)\s*(?:\w+\s+)?remote\w*";

/// LinkedIn's way-of-working tags, printed at the foot of many postings ("#LI-Hybrid").
pub(super) const LINKEDIN_TAG: &str = r"#li-(?P<value>hybrid|remote|onsite|on-site)(?-u:\b)";

/// A bare mention of working from home: likely a mix, but said in passing.
pub(super) const IN_PASSING: &str = r"home[- ]?office|homeoffice|t[ée]l[ée]travail|teletrabajo|smart[- ]working|thuiswerk|work(?:ing)?\s+from\s+home|(?-u:\b)wfh(?-u:\b)|telework";

/// A pattern with its shared pieces (`{HYBRID}`, `{FEW}`, `{DAYS}`…) written in.
pub(super) fn expand(pattern: &str) -> String {
    [
        ("{HYBRID}", HYBRID),
        ("{FEW}", FEW),
        ("{FIVE}", FIVE),
        ("{DAYS}", DAYS),
        ("{A_WEEK_SAID}", A_WEEK_SAID),
        ("{A_WEEK}", A_WEEK),
        ("{PLACE}", PLACE),
        ("{GAP2}", GAP2),
        ("{GAP3}", GAP3),
        ("{GAP6}", GAP6),
        ("{PLACE_FIRST}", PLACE_FIRST),
    ]
    .iter()
    .fold(pattern.to_owned(), |p, (name, piece)| p.replace(name, piece))
    // A letter of a word, as "not a space or punctuation": Unicode's `\w` is hundreds of
    // ranges, which would make these automata too large to run fast.
    .replace(r"\w", r"[^\s[:punct:]]")
}
