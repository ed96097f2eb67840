use crate::text_enum;

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
