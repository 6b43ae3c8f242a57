//! Kafka Playground, the web app: the engine from `kafka-sim` running in the
//! page, drawn with Yew.
//!
//! - [`state`]: pure page state and actions, tested natively; [`draw`]: numbers for drawing;
//!   [`stage`]: the stage laid out from the view; [`markup`]: text-only parts written as markup.
//! - `app` and `components` (wasm only): the views, which read the state and
//!   dispatch actions.

pub mod draw;
pub mod embed;
pub mod gallery;
pub mod lessons;
pub mod markup;
pub mod sessions;
pub mod stage;
pub mod state;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
