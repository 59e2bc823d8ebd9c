//! The crate's one error type.

/// Everything that can go wrong in `handoff`, worded so that a merchant (or
/// the agent console showing it) knows what to do next.
///
/// Queue-state errors (`NotWaiting`, `NotClaimed`, `ClaimedByOther`,
/// `AlreadyWithAgent`) are ordinary outcomes of two agents racing for the same
/// conversation; they are values, never panics.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The id names no conversation in this store.
    #[error("no conversation `{conversation_id}`: it was never opened here, or the link is wrong")]
    UnknownConversation {
        /// The id that was asked for.
        conversation_id: String,
    },
    /// `claim` on a conversation that is not waiting in the queue.
    #[error("conversation `{conversation_id}` is not waiting in the queue (it is {state}); refresh the queue and pick another")]
    NotWaiting {
        /// The conversation.
        conversation_id: String,
        /// Where it is instead, in words.
        state: String,
    },
    /// `resolve` on a conversation that no agent has claimed.
    #[error("conversation `{conversation_id}` is not with an agent (it is {state}); claim it before resolving it")]
    NotClaimed {
        /// The conversation.
        conversation_id: String,
        /// Where it is instead, in words.
        state: String,
    },
    /// `resolve` by an agent other than the one who claimed the conversation.
    #[error("conversation `{conversation_id}` is handled by agent `{agent_id}`; only that agent can resolve it")]
    ClaimedByOther {
        /// The conversation.
        conversation_id: String,
        /// The agent who holds it.
        agent_id: String,
    },
    /// `enqueue` on a conversation an agent is already handling.
    #[error("conversation `{conversation_id}` is already with agent `{agent_id}`; it can be queued again once resolved")]
    AlreadyWithAgent {
        /// The conversation.
        conversation_id: String,
        /// The agent who holds it.
        agent_id: String,
    },
    /// sled failed to read, write or flush.
    #[error("the conversation store failed ({0}); check the data directory's disk space and permissions")]
    Storage(#[from] sled::Error),
    /// Another process (or another store in this one) holds the data directory.
    #[error("the data directory {} is in use by another xiaoer process; stop that process or give this one another directory", dir.display())]
    InUse {
        /// The directory.
        dir: std::path::PathBuf,
    },
    /// A stored record does not parse as the type this version expects.
    #[error("stored {what} `{key}` is unreadable ({reason}); the data directory may be damaged or written by another version of xiaoer")]
    Corrupt {
        /// Which kind of record (conversation, message, queue entry…).
        what: &'static str,
        /// Its key, printable.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A record could not be turned into JSON.
    #[error("could not encode {what} ({source}); this is a bug in xiaoer, please report it")]
    Encode {
        /// Which kind of record.
        what: &'static str,
        /// The encoding error.
        source: serde_json::Error,
    },
    /// The operating system could not supply random bytes for a new id.
    #[error(
        "the operating system's random source failed ({0}); no safe conversation id can be made"
    )]
    Entropy(String),
}
