//! The closed sets stored as text. A value the code does not know is a
//! read error, never a silent default: an unknown role must not become
//! `user`, an unknown erasure scope not the scope that erases less.
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Text columns holding one of a closed set, lowercase on disk and in JSON.
macro_rules! stored {
    ($($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize)]
        #[sea_orm(
            rs_type = "String",
            db_type = "String(StringLen::None)",
            rename_all = "lowercase"
        )]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }
    )*};
}

stored! {
    /// `users.role`. No `Ord` here: the order of powers belongs to the
    /// API's `Role`, never to a comparison of text in SQL.
    Role { User, Moderator, Admin }
    /// `users.gender`.
    Gender { Male, Female, Other, Undisclosed }
    /// `circles.kind`.
    CircleKind { Product, City, Club }
    /// `messages.kind`.
    MessageKind { Text, Image, Video, File }
    /// `reports.status`.
    ReportStatus { Open, Resolved }
    /// `staff_actions.action`.
    StaffAction { Reveal, Approve, Reject, Waitlist, ShippingList, Remove, Correct, Ship, Deliver, Cancel, Create, Update }
    /// `event_registrations.status`.
    RegistrationStatus { Pending, Approved, Rejected, Waitlisted, Cancelled }
    /// `beta_applications.status`.
    BetaStatus { Pending, Approved, Rejected, Waitlisted, Withdrawn }
    /// `help_group_applications.status`.
    ApplicationStatus {
        Pending,
        /// A member of the group.
        Approved,
        Rejected,
        /// The member left.
        Left,
        /// A manager removed the member.
        Removed,
    }
    /// `reports.target_type`, `moderation_log.target_type`.
    TargetType { Post, Comment, User }
    /// `uploads.purpose`: what an upload was sent for, so that its privacy
    /// tag, visibility and lifetime follow its use.
    UploadPurpose {
        /// An image, video or file to show in a post or as a circle's icon.
        Media,
        /// A diagnostic log (optional `diagnostic_logs` grant): private,
        /// for its owner and moderators only.
        Diagnostic,
        /// A profile picture (`profile`): an image, public.
        Avatar,
        /// A file to send in a private message (`direct_messages`):
        /// private from the first byte, behind signed links.
        Attachment,
        /// A beta build's package (admins): private; a beta program takes
        /// it over, and testers fetch it only through their own links.
        Package,
    }
    /// `deregistrations.scope`.
    ErasureScope {
        /// The community profile and content go; the account stays.
        Service,
        /// Everything goes, phone and credentials included.
        Account,
    }
    /// `deregistrations.content`.
    ErasureContent {
        /// Posts and comments are deleted.
        Delete,
        /// Posts and comments stay, shown as by a deleted user.
        Anonymize,
    }
    /// `uploads.kind`: how a stored file is shown.
    UploadKind { Image, Video, File }
    /// `notifications.kind`.
    NotificationKind {
        /// A message arrived while its recipient was offline.
        Message,
        /// Staff decided on one of the user's event registrations.
        EventDecision,
        /// A group manager decided on the user's help-group application.
        HelpGroupDecision,
        /// A prize claim of the user moved on (submitted, shipped,
        /// delivered, cancelled).
        #[sea_orm(string_value = "prize_claim")]
        PrizeClaim,
        /// Staff decided on the user's beta application.
        #[sea_orm(string_value = "beta_decision")]
        BetaDecision,
    }
    /// `moderation_log.action`.
    ModerationAction { Hide, Restore, Pin, Unpin, Lock, Unlock }
    /// `sms_codes.purpose`: a code proves the phone for one action only.
    SmsPurpose { Register, Login, Deregister }
    /// `reward_tasks.kind`: how a task is completed and credited.
    TaskKind {
        /// The daily check-in (`POST /rewards/tasks/{id}/check-in`).
        #[sea_orm(string_value = "check_in")]
        CheckIn,
        /// A post, credited by the server when it is made (up to the
        /// task's `per_day`).
        Post,
        /// A comment, credited by the server when it is made.
        Comment,
        /// Trying a partner's app or game, once ever: the partner says so
        /// by a signed callback.
        Partner,
    }
    /// `coin_ledger.kind`.
    LedgerKind {
        /// Coins earned.
        Credit,
        /// Coins spent.
        Debit,
        /// A correction by an admin, with a reason.
        Reversal,
        /// Coins given back: a prize claim was cancelled.
        Refund,
    }
    /// `reward_prizes.kind`.
    PrizeKind {
        /// Shipped: the claim asks for delivery details.
        Physical,
        /// Delivered at once (a code, a badge): asks for nothing.
        Virtual,
    }
    /// `reward_claims.status`.
    ClaimStatus {
        /// A physical prize waits for the winner's delivery details.
        #[sea_orm(string_value = "awaiting_details")]
        AwaitingDetails,
        /// Details given; waits to be shipped.
        Submitted,
        Shipped,
        Delivered,
        /// Cancelled, its coins refunded and its stock returned.
        Cancelled,
    }
    /// `consent_receipts.action`.
    ConsentAction { Grant, Refusal, Withdrawal }
}
