//! The three [`Rt`](crate::Rt) implementations: [`RuntimeRt`], [`TokioRt`] and [`SmolRt`].

mod runtime_rt;
mod runtime_services;
mod smol_rt;
mod smol_services;
mod tokio_rt;
mod tokio_services;

pub use runtime_rt::{NO_WATCHDOG_VAR, RING_SOCKETS_VAR, RuntimeRt};
pub use smol_rt::SmolRt;
pub use tokio_rt::TokioRt;
