//! An API enum and the stored enum it mirrors convert both ways, variant
//! for variant: the compiler checks that neither gains a variant alone.
macro_rules! mirror {
    ($api:ty, $stored:ty, [$($variant:ident),+ $(,)?]) => {
        impl From<$api> for $stored {
            fn from(value: $api) -> Self {
                match value {
                    $(<$api>::$variant => Self::$variant,)+
                }
            }
        }

        impl From<$stored> for $api {
            fn from(value: $stored) -> Self {
                match value {
                    $(<$stored>::$variant => Self::$variant,)+
                }
            }
        }
    };
}

pub(crate) use mirror;
