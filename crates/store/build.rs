//! `sqlx::migrate!` embeds the migration folders at compile time; without this, adding a
//! migration does not rebuild the crate and the binary silently lacks it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
