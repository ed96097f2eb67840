//! Reading a response body without ever holding more than the cap in memory.

use reqwest::Response;

/// Reads at most `limit` bytes; the flag says whether the body went on past them.
pub(crate) async fn read_up_to(
    mut response: Response,
    limit: u64,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}
