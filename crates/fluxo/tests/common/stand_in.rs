//! A service on loopback standing in for an AWS service Fluxo calls over HTTP (API Gateway,
//! Athena, Batch): each request is read whole (line, headers, body), answered by the test's
//! function, and handed to the test. A connection that breaks is dropped; the stand-in goes on.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver};

/// A request as the stand-in read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `METHOD PATH HTTP/1.1`.
    pub line: String,
    /// `name: value`, in lower case.
    pub headers: Vec<String>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value (its name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}: ");
        self.headers.iter().find_map(|h| h.strip_prefix(&prefix))
    }

    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An answer: the status line's end (`200 OK`), the content type, the body.
pub struct Answer {
    pub status: &'static str,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    pub fn ok(content_type: &'static str, body: Value) -> Answer {
        Answer {
            status: "200 OK",
            content_type,
            body: body.to_string(),
        }
    }
}

/// Serves `answer` on a free loopback port: its URL, and the requests as they come.
pub fn serve(answer: impl Fn(&Request) -> Answer + Send + 'static) -> (String, Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let Some((request, mut stream)) = read(stream) else {
                continue;
            };
            let Answer {
                status,
                content_type,
                body,
            } = answer(&request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\nx-amzn-requestid: r-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sender.send(request);
        }
    });
    (url, receiver)
}

fn read(stream: TcpStream) -> Option<(Request, TcpStream)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        headers.push(header.trim().to_ascii_lowercase());
    }
    let length = headers
        .iter()
        .find_map(|h| h.strip_prefix("content-length: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let request = Request {
        line: line.trim().to_string(),
        headers,
        body,
    };
    Some((request, reader.into_inner()))
}
