//! Reading `GET /v1/events` (Server-Sent Events, `docs/api.md`): a parser
//! of the `text/event-stream` format (WHATWG HTML §9.2, the subset the node
//! writes: `event:`, `id:`, `data:`, comments) and the stream of one open
//! connection. Used by `tamga watch` to follow an account's feed
//! (Law on Informatization art. 36 p.6).

use std::time::Duration;

use crate::ClientError;

/// Longest event the parser holds (the node's largest is one receipt, far
/// below): a peer that sends an endless line cannot make the client grow.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// One event of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` (`message` when absent).
    pub event: String,
    /// `id:`: the resume cursor (`Last-Event-ID`), when the event carries one.
    pub id: Option<String>,
    /// The `data:` lines joined by `\n`.
    pub data: String,
}

/// Incremental parser: feed it bytes as they come, take whole events out.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
}

/// The stream broke the format or its bound.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// An event grew past [`MAX_EVENT_BYTES`] without ending.
    #[error("an event of more than {max} bytes")]
    TooLarge {
        /// The bound.
        max: usize,
    },
    /// An event is not UTF-8.
    #[error("an event is not UTF-8: {0}")]
    NotUtf8(String),
}

impl SseParser {
    /// Adds bytes read from the connection.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > MAX_EVENT_BYTES && find_end(&self.buf).is_none() {
            return Err(SseError::TooLarge { max: MAX_EVENT_BYTES });
        }
        Ok(())
    }

    /// The next whole event, skipping comments and empty blocks.
    pub fn next_event(&mut self) -> Result<Option<SseEvent>, SseError> {
        while let Some((end, sep)) = find_end(&self.buf) {
            let block: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = std::str::from_utf8(&block[..end]).map_err(|e| SseError::NotUtf8(e.to_string()))?;
            let (mut event, mut id, mut data, mut any) = (None, None, Vec::new(), false);
            for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
                if line.is_empty() || line.starts_with(':') {
                    continue;
                }
                let (field, value) = match line.split_once(':') {
                    Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                    None => (line, ""),
                };
                match field {
                    "event" => event = Some(value.to_owned()),
                    "id" => id = Some(value.to_owned()),
                    "data" => data.push(value.to_owned()),
                    _ => continue,
                }
                any = true;
            }
            if any && (!data.is_empty() || event.is_some()) {
                let event = event.unwrap_or_else(|| "message".to_owned());
                return Ok(Some(SseEvent { event, id, data: data.join("\n") }));
            }
        }
        Ok(None)
    }
}

/// The end of the first event in `buf` (a blank line) and the separator's length.
fn find_end(buf: &[u8]) -> Option<(usize, usize)> {
    (0..buf.len()).find_map(|i| {
        if buf[i..].starts_with(b"\n\n") {
            Some((i, 2))
        } else if buf[i..].starts_with(b"\r\n\r\n") {
            Some((i, 4))
        } else {
            None
        }
    })
}

/// An open event stream.
#[derive(Debug)]
pub struct EventStream {
    pub(crate) url: String,
    pub(crate) resp: reqwest::Response,
    pub(crate) parser: SseParser,
}

impl EventStream {
    /// The next event; `Ok(None)` when the node closed the stream. Fails
    /// when nothing (not even a keep-alive comment) arrives within `idle`.
    pub async fn next(&mut self, idle: Duration) -> Result<Option<SseEvent>, ClientError> {
        loop {
            let bad = |reason: String| ClientError::Decode { url: self.url.clone(), reason };
            if let Some(e) = self.parser.next_event().map_err(|e| bad(e.to_string()))? {
                return Ok(Some(e));
            }
            let chunk = match tokio::time::timeout(idle, self.resp.chunk()).await {
                Err(_) => return Err(bad(format!("nothing arrived for {} s", idle.as_secs()))),
                Ok(r) => r.map_err(|source| ClientError::Transport { url: self.url.clone(), source })?,
            };
            match chunk {
                Some(c) => self.parser.feed(&c).map_err(|e| bad(e.to_string()))?,
                None => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_with_ids_and_comments() {
        let mut p = SseParser::default();
        p.feed(b": keep-alive\n\nevent: account_event\nda").unwrap();
        assert_eq!(p.next_event().unwrap(), None, "half an event waits");
        p.feed(b"ta: {\"a\":1}\nid: 7\n\nevent:end\r\ndata:x\r\n\r\n").unwrap();
        let e = p.next_event().unwrap().unwrap();
        assert_eq!((e.event.as_str(), e.id.as_deref(), e.data.as_str()), ("account_event", Some("7"), "{\"a\":1}"));
        let e = p.next_event().unwrap().unwrap();
        assert_eq!((e.event.as_str(), e.id, e.data.as_str()), ("end", None, "x"));
        assert_eq!(p.next_event().unwrap(), None);
        p.feed(b"data: a\ndata: b\n\n").unwrap();
        assert_eq!(p.next_event().unwrap().unwrap().data, "a\nb");
    }

    #[test]
    fn an_endless_event_is_refused() {
        let mut p = SseParser::default();
        let big = vec![b'x'; MAX_EVENT_BYTES + 1];
        assert_eq!(p.feed(&big), Err(SseError::TooLarge { max: MAX_EVENT_BYTES }));
    }
}
