//! The subscriber-facing vocabulary from the product design: career paths, entry levels,
//! experience, ways of working and visa situations. Display names live in the taxonomy.

use crate::text_enum;

text_enum! {
    /// A broad career path. `Unsure` matches any path.
    CareerPath, "career path" {
        Strategy => "strategy",
        Finance => "finance",
        Sales => "sales",
        Marketing => "marketing",
        Data => "data",
        Operations => "operations",
        Product => "product",
        Tech => "tech",
        Sustainability => "sustainability",
        Legal => "legal",
        Unsure => "unsure",
    }
}

text_enum! {
    /// The kind of first step a subscriber is after.
    EntryLevel, "entry level" {
        Internship => "internship",
        Graduate => "graduate",
        Entry => "entry",
        Unsure => "unsure",
    }
}

text_enum! {
    /// How much work experience a subscriber has.
    Experience, "experience" {
        None => "none",
        SixMonths => "6m",
        OneYear => "1y",
        OneToTwoYears => "1-2y",
        TwoYears => "2y",
        ThreePlusYears => "3y+",
    }
}

impl Experience {
    /// Whole years of experience this stands for, rounded down (`3y+` is 3).
    pub fn years(self) -> u8 {
        match self {
            Self::None | Self::SixMonths => 0,
            Self::OneYear | Self::OneToTwoYears => 1,
            Self::TwoYears => 2,
            Self::ThreePlusYears => 3,
        }
    }
}

text_enum! {
    /// A way of working, for a subscriber (accepted) and for a job (offered).
    WorkEnvironment, "work environment" {
        Office => "office",
        Hybrid => "hybrid",
        Remote => "remote",
    }
}

text_enum! {
    /// A subscriber's right to work.
    Visa, "visa situation" {
        /// EU citizen: may work anywhere in the EU/EEA and Switzerland.
        Eu => "eu",
        /// Citizen of the EU and the UK.
        EuUk => "eu_uk",
        /// UK citizen: may work in the UK.
        Uk => "uk",
        /// Needs an employer to sponsor a work visa.
        Sponsorship => "sponsorship",
        /// On a student visa: limited right to work.
        Student => "student",
    }
}
