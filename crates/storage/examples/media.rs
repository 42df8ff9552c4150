//! Runs the media pipeline on a file, for trying it by hand:
//! `cargo run --release -p miaojing-storage --example media -- watermark|thumbnail IN OUT [CONTENT_ID]`.
use miaojing_storage::media::{read_label, thumbnail, watermark, Label};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, input, output, rest @ ..] = args.as_slice() else {
        return Err("usage: media watermark|thumbnail IN OUT [CONTENT_ID]".into());
    };
    let bytes = std::fs::read(input)?;
    let label = Label::ai_generated(rest.first().cloned().unwrap_or_else(|| "example".into()));
    let out = match mode.as_str() {
        "watermark" => watermark(&bytes, Some(&label))?.bytes,
        "thumbnail" => thumbnail(&bytes, Some(&label))?.bytes,
        other => return Err(format!("unknown mode {other}").into()),
    };
    std::fs::write(output, &out)?;
    println!("wrote {output} ({} bytes), label: {:?}", out.len(), read_label(&out));
    Ok(())
}
