//! Task integrations: operator-configured local functions.
