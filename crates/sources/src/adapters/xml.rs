//! A small element tree over quick-xml events: enough for Personio's feed and RSS,
//! matching on local names so that namespace prefixes (`tt:`) do not matter.

use quick_xml::Reader;
use quick_xml::escape::unescape;
use quick_xml::events::Event;

/// One element: its local name, its own text (CDATA included) and its children.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of child `name`, if non-empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).and_then(Node::trimmed)
    }

    pub fn trimmed(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_owned())
    }
}

/// Feeds are a few levels deep; a cap keeps a hostile document from exhausting the stack.
const MAX_DEPTH: usize = 64;

/// The document's root element, or why it is not well-formed XML.
pub(crate) fn parse(body: &[u8]) -> Result<Node, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("body is not UTF-8 ({e})"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("body is not well-formed XML ({e})"))?;
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("body nests elements deeper than {MAX_DEPTH} levels"));
                }
                let name = String::from_utf8_lossy(start.local_name().as_ref().as_bytes()).into_owned();
                stack.push(Node {
                    name,
                    ..Node::default()
                });
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref().as_bytes()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node {
                        name,
                        ..Node::default()
                    });
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err("body has an unmatched closing tag".to_owned());
                }
                if let (Some(node), Some(parent)) = (stack.pop(), stack.last_mut()) {
                    parent.children.push(node);
                }
            }
            Event::Text(t) => push_text(&mut stack, &unescape(&t).unwrap_or_else(|_| t.xml10_content())),
            Event::CData(c) => push_text(&mut stack, &c),
            Event::GeneralRef(r) => {
                let entity = format!("&{};", &*r.xml10_content());
                push_text(&mut stack, &unescape(&entity).unwrap_or(entity.as_str().into()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("body ends inside an element (truncated XML)".to_owned());
    }
    let mut root = stack.pop().unwrap_or_default();
    root.children
        .pop()
        .ok_or_else(|| "body has no XML root element".to_owned())
}

fn push_text(stack: &mut [Node], text: &str) {
    if let Some(node) = stack.last_mut() {
        node.text.push_str(text);
    }
}
