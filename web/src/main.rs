//! The page's entry point: mounts the app on `<main id="app">`.

#[cfg(target_arch = "wasm32")]
fn main() {
    kafka_playground::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kafka-playground runs in a browser: build it with trunk (see README.md)");
}
