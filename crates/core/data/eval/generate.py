#!/usr/bin/env python3
"""Generates the matching evaluation set: jobs.json (IndexedJob objects wrapping a
normalized Job each) and judgments.csv (a 0-3 grade for every profile and job).

Judgments come from the profile and posting facts by the rules of the product
(DESIGN.md, issue 4), written here on their own, not from the engine's code:
0 = must not be sent (a hard rule is broken), 1 = allowed but off-target,
2 = on the subscriber's path and either the wanted level or their topic,
3 = on their path, at the wanted level and on topic.
Run: python3 generate.py  (deterministic: seeded)."""
import csv
import json
import random
from datetime import datetime, timedelta, timezone

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
MAX_AGE_DAYS = 30
R = random.Random(20261120)

CITIES = {
    "dublin": ("Dublin", "IE"), "london": ("London", "GB"), "manchester": ("Manchester", "GB"),
    "birmingham": ("Birmingham", "GB"), "belfast": ("Belfast", "GB"), "paris": ("Paris", "FR"),
    "amsterdam": ("Amsterdam", "NL"), "brussels": ("Brussels", "BE"), "madrid": ("Madrid", "ES"),
    "barcelona": ("Barcelona", "ES"), "berlin": ("Berlin", "DE"), "hamburg": ("Hamburg", "DE"),
    "munich": ("München", "DE"), "zurich": ("Zürich", "CH"), "milan": ("Milano", "IT"), "rome": ("Rome", "IT"),
    "stockholm": ("Stockholm", "SE"), "copenhagen": ("Copenhagen", "DK"), "vienna": ("Wien", "AT"),
    "prague": ("Prague", "CZ"), "warsaw": ("Warszawa", "PL"),
}
EU = {"IE", "FR", "NL", "BE", "ES", "DE", "CH", "IT", "SE", "DK", "AT", "CZ", "PL", "PT", "LU", "NO", "FI", "EE",
      "LV", "LT", "GR", "HU", "RO", "BG", "HR", "SK", "SI", "CY", "MT", "IS", "LI"}
CURRENCY = {"GB": "GBP", "CH": "CHF", "PL": "PLN", "SE": "SEK", "DK": "DKK", "CZ": "CZK"}
LOCAL_LANG = {"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl", "PL": "pl",
              "BE": "fr", "SE": "sv", "DK": "da", "CZ": "cs"}

ROLES = {
    "data": ["Data Analyst", "Business Intelligence Analyst", "Data Scientist", "Analytics Engineer", "Data Engineer"],
    "tech": ["Software Engineer", "Backend Developer", "Frontend Developer", "Machine Learning Engineer",
             "DevOps Engineer", "Softwareentwickler"],
    "finance": ["Financial Analyst", "Accountant", "Investment Analyst", "Controller", "Audit Associate"],
    "marketing": ["Marketing Coordinator", "Content Marketing Specialist", "Growth Marketing Analyst",
                  "Digital Marketing Executive", "Brand Marketing Associate"],
    "sales": ["Sales Development Representative", "Account Executive", "Business Development Representative",
              "Ejecutivo de ventas", "Customer Success Associate"],
    "strategy": ["Strategy Analyst", "Business Analyst", "Consultant", "Policy Analyst"],
    "operations": ["Operations Analyst", "Supply Chain Analyst", "Logistics Coordinator", "Operations Associate"],
    "product": ["Product Analyst", "Associate Product Manager", "Product Owner", "Product Designer"],
    "sustainability": ["Sustainability Analyst", "ESG Analyst", "Climate Data Analyst", "Sustainability Consultant"],
}
SKILLS = {
    "data": ["SQL", "Python", "Tableau", "Power BI", "Excel", "statistics", "dbt"],
    "tech": ["Python", "Java", "TypeScript", "React", "Kubernetes", "AWS", "Rust", "Go"],
    "finance": ["Excel", "financial modelling", "valuation", "IFRS", "accounting", "banking"],
    "marketing": ["SEO", "content", "Google Analytics", "social media", "CRM", "copywriting"],
    "sales": ["CRM", "Salesforce", "negotiation", "B2B", "lead generation"],
    "strategy": ["Excel", "PowerPoint", "market research", "financial modelling", "consulting"],
    "operations": ["supply chain", "logistics", "Excel", "process improvement", "SQL"],
    "product": ["Jira", "user research", "Figma", "SQL", "roadmap", "SaaS"],
    "sustainability": ["ESG", "carbon accounting", "LCA", "reporting", "Excel", "climate"],
}
SECOND_PATH = {"data": "tech", "tech": "data", "finance": "strategy", "strategy": "finance", "marketing": "sales",
               "sales": "marketing", "operations": "sustainability", "product": "tech", "sustainability": "operations"}
COMPANIES = ["Nordlicht Analytics GmbH", "Brightwave Ltd", "Celtic Cloud Ltd", "Maison Ferrant SAS", "Tulip Metrics BV",
             "Alpenrose Finanz AG", "Vistula Logistics Sp. z o.o.", "Öresund Energy AB", "Solano Retail SA",
             "Lagoon Payments", "Harbourline Insurance plc", "Moldau Software s.r.o.", "Kestrel Consulting",
             "Verdant Loop", "Quillstone Media", "Ironbridge Capital", "Pixelmoor Games", "Cobalt Freight",
             "Fjordline Mobility", "Saffron Health", "Orbital Grid", "Tramway Labs", "Bluefin Markets",
             "Copperleaf Foods"]
LEVEL_WEIGHTS = [("internship", 14), ("graduate", 15), ("entry", 18), ("junior", 12), ("mid", 12), ("senior", 13),
                 ("lead", 5), ("manager", 5), ("unknown", 6)]
MIN_YEARS = {"internship": [None, 0], "graduate": [None, 0], "entry": [None, 0, 1], "junior": [1, 2],
             "mid": [3, 3, 4], "senior": [5, 6], "lead": [7, 8], "manager": [5, 6], "unknown": [None, None, 2, 3]}
SALARY_EUR = {"internship": (1200, 1800, "month"), "graduate": (38000, 52000, "year"), "entry": (36000, 50000, "year"),
              "junior": (40000, 55000, "year"), "mid": (55000, 75000, "year"), "senior": (70000, 95000, "year"),
              "lead": (85000, 115000, "year"), "manager": (80000, 110000, "year"), "unknown": (40000, 60000, "year")}
FX = {"EUR": 1.0, "GBP": 0.86, "CHF": 1.05, "PLN": 4.3, "SEK": 11.3, "DKK": 7.45, "CZK": 25.0}


def title_for(level, role, lang):
    if level == "internship":
        return f"Werkstudent {role}" if lang == "de" and R.random() < 0.5 else f"{role} Intern"
    if level == "graduate":
        return R.choice([f"Graduate {role}", f"{role} – Graduate Programme 2027"])
    return {"entry": f"Entry-level {role}" if R.random() < 0.5 else role, "junior": f"Junior {role}",
            "mid": role, "senior": f"Senior {role}", "lead": f"Lead {role}", "manager": f"{role} Team Manager",
            "unknown": R.choice([role, role, f"Senior {role}"])}[level]


TEXT = {
    "en": ("{company} is hiring a {title} in {place}. You will join the {path} team and work with {skills}. "
           "We value curiosity, clear writing and teamwork. {visa}"),
    "de": ("{company} sucht eine:n {title} in {place}. Du arbeitest im Team {path} mit {skills}. "
           "Wir bieten flexible Arbeitszeiten und Weiterbildung. {visa}"),
    "fr": ("{company} recrute un(e) {title} à {place}. Vous rejoindrez l'équipe {path} et travaillerez avec {skills}. "
           "Nous offrons un environnement international. {visa}"),
    "es": ("{company} busca un/a {title} en {place}. Trabajarás en el equipo de {path} con {skills}. "
           "Ofrecemos formación y un gran ambiente. {visa}"),
    "it": ("{company} cerca un/a {title} a {place}. Lavorerai nel team {path} con {skills}. "
           "Offriamo formazione continua. {visa}"),
    "nl": ("{company} zoekt een {title} in {place}. Je werkt in het {path} team met {skills}. "
           "Wij bieden een informele werksfeer. {visa}"),
    "pl": ("{company} zatrudni: {title} w {place}. Będziesz pracować w zespole {path} z {skills}. "
           "Oferujemy szkolenia. {visa}"),
}
VISA_TEXT = {"sponsors": "We sponsor work visas for the right candidate.",
             "no_sponsorship": "We are unable to offer visa sponsorship.",
             "right_to_work_required": "You must already have the right to work in this country.", "unknown": ""}


def job(n, near=None):
    """A posting; `near` (a profile's preferences) makes it plausible for that profile:
    in one of its cities, mostly on its path, at any level (traps included)."""
    near_paths = [x for x in (near or {}).get("career_paths", []) if x != "unsure"]
    path = R.choice(near_paths) if near_paths and R.random() < 0.85 else R.choice(list(ROLES))
    paths = [path] + ([SECOND_PATH[path]] if R.random() < 0.25 else [])
    if R.random() < 0.04:
        paths = []
    weights = [w * (3 if near and l in ("internship", "graduate", "entry", "junior") else 1) for l, w in LEVEL_WEIGHTS]
    level = R.choices([l for l, _ in LEVEL_WEIGHTS], weights)[0]
    roles = ROLES[path]
    if near and R.random() < 0.5:
        roles = [r for r in near.get("roles", []) if any(r in v for v in ROLES.values())] or roles
    role = R.choice(roles)
    city = R.choice(near["cities"]) if near and R.random() < 0.85 else R.choice(list(CITIES))
    city_name, country = CITIES[city]
    env = R.choices(["office", "hybrid", "remote", None], [33, 40, 19, 8])[0]
    scope = {"kind": "not_remote"}
    locations = [{"city": city, "country": country, "raw": f"{city_name}, {country}"}]
    if env == "remote":
        kind = R.choices(["anywhere", "countries", "unknown"], [25, 55, 20])[0]
        if kind == "countries":
            extra = R.sample(sorted(EU | {"GB"}), R.choice([0, 0, 1, 2]))
            scope = {"kind": "countries", "countries": sorted({country, *extra})}
        else:
            scope = {"kind": kind}
        if R.random() < 0.5:
            locations = [{"city": None, "country": country, "raw": f"Remote - {country}"}]
    local = LOCAL_LANG.get(country)
    lang = "en"
    if local and R.random() < {"de": 0.45, "fr": 0.4, "es": 0.4, "it": 0.4, "nl": 0.2, "pl": 0.3}.get(local, 0.0):
        lang = local
    if R.random() < 0.04:
        lang = None
    required = []
    if lang and lang != "en":
        required = [lang] + (["en"] if R.random() < 0.4 else [])
    elif local and R.random() < 0.2:
        required = [local]
    visa = R.choices(["sponsors", "no_sponsorship", "right_to_work_required", "unknown"], [20, 14, 10, 56])[0]
    skills = R.sample(SKILLS[path], 3)
    company = R.choice(COMPANIES[:12]) if R.random() < 0.5 else R.choice(COMPANIES)
    title = title_for(level, role, lang)
    place = city_name if locations[0]["city"] else "remote"
    text = TEXT[lang or "en"].format(company=company.split(" ")[0], title=title, place=place, path=path,
                                     skills=", ".join(skills), visa=VISA_TEXT[visa]).strip()
    salary = None
    if R.random() < 0.5:
        lo, hi, period = SALARY_EUR[level]
        cur = CURRENCY.get(country, "EUR")
        rate = FX[cur]
        mn, mx = round(lo * rate, -2 if period == "year" else 1), round(hi * rate, -2 if period == "year" else 1)
        annual = 12 if period == "month" else 1
        salary = {"min": mn, "max": mx, "currency": cur, "period": period, "annual_min": mn * annual,
                  "annual_max": mx * annual}
    posted = NOW - timedelta(days=R.uniform(0, 40))
    first_seen = posted + timedelta(hours=R.uniform(0, 30))
    if first_seen > NOW:
        first_seen = NOW
    posted_at = None if R.random() < 0.08 else posted
    valid = None
    if R.random() < 0.12:
        valid = NOW + timedelta(days=R.choice([-5, -1, 3, 20]))
    intern = level == "internship"
    emp = ("working_student" if "Werkstudent" in title else "internship") if intern else "full_time"
    iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ") if d else None
    j = {
        "source": "eval", "board": "eval", "external_id": f"eval-{n:04d}", "title": title, "company": company,
        "url": f"https://jobs.example.com/eval-{n:04d}", "apply_url": None, "locations": locations,
        "work_environment": env, "remote_scope": scope, "level": level,
        "min_years_experience": R.choice(MIN_YEARS[level]), "career_paths": paths, "department": path.title(),
        "visa": visa, "languages_required": required, "description_language": lang, "salary": salary,
        "employment_type": emp, "posted_at": iso(posted_at), "valid_through": iso(valid), "description_text": text,
        "description_html": f"<p>{text}</p>", "fingerprint": f"{company}|{title}|{city}".lower(),
    }
    return {"id": n, "job": j, "first_seen_at": iso(first_seen), "active": R.random() > 0.04}


# ---- judgments: the product's rules, restated from the vocabulary ----
SENIOR_WORDS = {"senior", "sr", "lead", "principal", "staff", "head", "director", "manager", "vp", "chief", "leiter",
                "architect"}
LEGAL = {"gmbh", "ag", "ltd", "limited", "inc", "plc", "llc", "sa", "sas", "bv", "nv", "se", "srl", "spa", "ab", "as",
         "aps", "kg", "co", "corp", "sarl", "oy", "zoo", "sp"}
YEARS = {"none": 0, "6m": 0, "1y": 1, "1-2y": 1, "2y": 2, "3y+": 3}


def words(text):
    out, cur = [], ""
    for ch in text.lower():
        if ch.isalnum():
            cur += ch
        else:
            if cur:
                out.append(cur)
            cur = ""
    return out + ([cur] if cur else [])


def company_key(name):
    w = words(name)
    kept = [x for x in w if x not in LEGAL]
    return " ".join(kept or w)


def allowed_countries(p):
    v = p["visa"]
    if v == "eu":
        return set(EU)
    if v == "eu_uk":
        return EU | {"GB"}
    if v == "uk":
        return {"GB"}
    return {CITIES[c][1] for c in p["cities"]}


def broken(p, ij):
    j = ij["job"]
    when = datetime.fromisoformat((j["posted_at"] or ij["first_seen_at"]).replace("Z", "+00:00"))
    if not ij["active"] or (j["valid_through"] and j["valid_through"] < NOW.strftime("%Y-%m-%dT%H:%M:%SZ")):
        return "inactive or expired"
    if (NOW - when).total_seconds() > MAX_AGE_DAYS * 86400:
        return "too old"
    if company_key(j["company"]) in {company_key(c) for c in p.get("excluded_companies", [])}:
        return "excluded company"
    allowed = allowed_countries(p)
    countries = [l["country"] for l in j["locations"] if l["country"]]
    in_city = any(l["city"] in p["cities"] for l in j["locations"])
    remote = j["work_environment"] == "remote"
    scope = j["remote_scope"]
    remote_ok = remote and (scope["kind"] == "anywhere" or (scope["kind"] == "countries" and allowed & set(
        scope["countries"])) or (scope["kind"] in ("unknown", "not_remote") and allowed & set(countries)))
    if remote and scope["kind"] == "countries":
        # An explicit list decides, even for a remote job based in one of their cities.
        homes = {CITIES[c][1] for c in p["cities"]}
        in_city = False
        remote_ok = bool((allowed | homes) & set(scope["countries"]))
    if not (in_city or remote_ok):
        return "location"
    if (j["work_environment"] or "office") not in p["work_environments"]:
        return "work environment"
    years = YEARS[p["experience"]]
    intern = j["level"] == "internship" or j["employment_type"] in ("internship", "working_student")
    if intern and not {"internship", "unsure"} & set(p["entry_levels"]):
        return "unwanted internship"
    if years < 3 and j["level"] in ("mid", "senior", "lead", "manager"):
        return "too senior"
    signal = (j["min_years_experience"] or 0) >= 3 or bool(SENIOR_WORDS & set(words(j["title"])))
    if years < 3 and j["level"] == "unknown" and signal:
        return "seniority signal"
    m = j["min_years_experience"]
    if m is not None and (m > years + 1 or (years < 3 and m >= 3)):
        return "experience"
    closed = j["visa"] in ("no_sponsorship", "right_to_work_required")
    if closed and p["visa"] in ("sponsorship", "student"):
        return "visa"
    if closed and p["visa"] == "uk" and any(c != "GB" for c in countries):
        return "visa"
    if closed and p["visa"] == "eu" and any(c not in EU for c in countries):
        return "visa"
    langs = set(p["languages"])
    if not set(j["languages_required"]) <= langs or (j["description_language"] and j["description_language"] not in langs):
        return "language"
    return None


def grade(p, ij):
    if broken(p, ij):
        return 0
    j = ij["job"]
    paths = set(p["career_paths"])
    on_path = "unsure" in paths or bool(paths & set(j["career_paths"]))
    wanted = set()
    for e in p["entry_levels"]:
        wanted |= {"internship": {"internship"}, "graduate": {"graduate"}, "entry": {"entry", "junior"},
                   "unsure": {"internship", "graduate", "entry", "junior"}}[e]
    level = "internship" if j["employment_type"] in ("internship", "working_student") else j["level"]
    at_level = level in wanted
    title = set(w[:5] for w in words(j["title"]))
    role_words = {w[:5] for r in p.get("roles", []) for w in words(r) if len(w) > 3 and w not in
                  {"intern", "graduate", "associate", "junior"}}
    text = " " + " ".join(words(j["description_text"])) + " "
    skills = [s for s in p.get("skills", []) if f" {' '.join(words(s))} " in text]
    on_topic = bool(role_words & title) or len(skills) >= 2 or (not role_words and not p.get("skills"))
    if on_path and at_level and on_topic:
        return 3
    if on_path and (at_level or on_topic):
        return 2
    return 1


def main():
    profiles = json.load(open("profiles.json"))
    jobs = [job(n) for n in range(1, 121)]
    for pr in profiles:
        for _ in range(14):
            jobs.append(job(len(jobs) + 1, pr["preferences"]))
    with open("jobs.json", "w") as f:
        json.dump(jobs, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open("judgments.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["profile", "job_id", "grade"])
        for pr in profiles:
            for ij in jobs:
                w.writerow([pr["id"], ij["id"], grade(pr["preferences"], ij)])
    with open("meta.json", "w") as f:
        json.dump({"now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "max_job_age_days": MAX_AGE_DAYS}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
