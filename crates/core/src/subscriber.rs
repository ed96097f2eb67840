use std::fmt;
use std::str::FromStr;

/// A string that names no variant of one of the core's enums.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form used in the store, the API and settings.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownVariant { kind: $kind, value: other.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// What a subscriber pays for: free (5 jobs weekly) or premium (15 a week).
    Tier, "tier" {
        Free => "free",
        Premium => "premium",
    }
}

text_enum! {
    /// Where a subscriber is in their life cycle.
    SubscriberStatus, "subscriber status" {
        /// Signed up, has not clicked the confirmation link yet.
        Pending => "pending",
        /// Confirmed: receives emails.
        Active => "active",
        /// Asked to stop receiving emails.
        Unsubscribed => "unsubscribed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for tier in Tier::ALL {
            assert_eq!(tier.as_str().parse::<Tier>().unwrap(), *tier);
        }
        for status in SubscriberStatus::ALL {
            assert_eq!(status.as_str().parse::<SubscriberStatus>().unwrap(), *status);
        }
    }

    #[test]
    fn an_unknown_text_names_the_kind_and_the_value() {
        let err = "gold".parse::<Tier>().unwrap_err();
        assert_eq!(err.to_string(), "unknown tier `gold`");
    }
}
