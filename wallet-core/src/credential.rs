//! Credentials as typed values: what an issuer builds and signs, what a holder stores, and what
//! a presentation carries.

pub mod status;
