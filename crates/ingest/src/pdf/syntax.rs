//! The slice of PDF syntax the structure check needs: tokens, and the top-level entries of
//! one dictionary. Nested values are skipped over, never built, and nesting is tracked with a
//! counter, so hostile input cannot make this recurse or allocate beyond its input.

/// One lexical token of PDF syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// `<<`
    DictOpen,
    /// `>>`
    DictClose,
    /// `[` or `{`
    ArrayOpen,
    /// `]` or `}`
    ArrayClose,
    /// `/Name`, without its slash (escapes are left as written).
    Name(&'a [u8]),
    /// A literal `(...)` or hexadecimal `<...>` string.
    Text,
    /// A number, a keyword (`obj`, `R`, `stream`, `true`) or anything else.
    Word(&'a [u8]),
}

/// A value in a dictionary, reduced to what the check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value<'a> {
    /// A non-negative integer written directly.
    Integer(u64),
    /// A name.
    Name(&'a [u8]),
    /// An indirect reference `N G R`.
    Reference,
    /// Anything else: strings, arrays, dictionaries, other numbers.
    Other,
}

/// Splits PDF bytes into tokens, keeping track of its position.
pub(super) struct Lexer<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Lexer { bytes, position: 0 }
    }

    /// Bytes consumed so far.
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// The next token, or `None` at the end of the input or on a string left open.
    pub(super) fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_blanks();
        let first = *self.bytes.get(self.position)?;
        let second = self.bytes.get(self.position + 1).copied();

        match (first, second) {
            (b'<', Some(b'<')) => self.advance(2, Token::DictOpen),
            (b'>', Some(b'>')) => self.advance(2, Token::DictClose),
            (b'[' | b'{', _) => self.advance(1, Token::ArrayOpen),
            (b']' | b'}', _) => self.advance(1, Token::ArrayClose),
            (b'<', _) => self.hex_string(),
            (b'(', _) => self.literal_string(),
            (b'/', _) => {
                self.position += 1;
                Some(Token::Name(self.regular_run()))
            }
            _ if is_delimiter(first) => self.advance(1, Token::Word(&self.bytes[..0])),
            _ => Some(Token::Word(self.regular_run())),
        }
    }

    /// Skips white space and comments.
    pub(super) fn skip_blanks(&mut self) {
        while let Some(&byte) = self.bytes.get(self.position) {
            if is_white(byte) {
                self.position += 1;
            } else if byte == b'%' {
                while self
                    .bytes
                    .get(self.position)
                    .is_some_and(|b| !matches!(b, b'\r' | b'\n'))
                {
                    self.position += 1;
                }
            } else {
                break;
            }
        }
    }

    fn advance(&mut self, length: usize, token: Token<'a>) -> Option<Token<'a>> {
        self.position += length;
        Some(token)
    }

    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.position;
        while self
            .bytes
            .get(self.position)
            .is_some_and(|&byte| !is_white(byte) && !is_delimiter(byte))
        {
            self.position += 1;
        }
        &self.bytes[start..self.position]
    }

    fn hex_string(&mut self) -> Option<Token<'a>> {
        let end = self.bytes[self.position..]
            .iter()
            .position(|&byte| byte == b'>')?;
        self.position += end + 1;
        Some(Token::Text)
    }

    /// `( ... )` with balanced inner parentheses and backslash escapes.
    fn literal_string(&mut self) -> Option<Token<'a>> {
        let mut depth = 0usize;
        while let Some(&byte) = self.bytes.get(self.position) {
            self.position += 1;
            match byte {
                b'\\' => self.position += 1,
                b'(' => depth += 1,
                b')' if depth == 1 => return Some(Token::Text),
                b')' => depth -= 1,
                _ => {}
            }
        }
        None
    }
}

/// The top-level entries of one dictionary, in the order written.
pub(super) struct Dictionary<'a> {
    entries: Vec<(&'a [u8], Value<'a>)>,
    /// Bytes from the start of the input to just after the closing `>>`.
    pub(super) span: usize,
}

impl<'a> Dictionary<'a> {
    /// The value of `key`, if present.
    pub(super) fn get(&self, key: &[u8]) -> Option<Value<'a>> {
        self.entries
            .iter()
            .find(|(candidate, _)| *candidate == key)
            .map(|(_, value)| value.clone())
    }
}

/// Reads the dictionary at the start of `bytes` (after blanks), or `None` if it is not a
/// complete dictionary.
pub(super) fn read_dictionary(bytes: &[u8]) -> Option<Dictionary<'_>> {
    let mut lexer = Lexer::new(bytes);
    if lexer.next_token()? != Token::DictOpen {
        return None;
    }

    let mut entries = Vec::new();
    loop {
        let key = match lexer.next_token()? {
            Token::DictClose => {
                return Some(Dictionary {
                    entries,
                    span: lexer.position(),
                });
            }
            Token::Name(key) => key,
            _ => return None,
        };
        let value = read_value(&mut lexer)?;
        entries.push((key, value));
    }
}

/// One value; an integer followed by `G R` is a reference. Containers are skipped by depth.
fn read_value<'a>(lexer: &mut Lexer<'a>) -> Option<Value<'a>> {
    match lexer.next_token()? {
        Token::Name(name) => Some(Value::Name(name)),
        Token::Text => Some(Value::Other),
        Token::DictOpen | Token::ArrayOpen => skip_container(lexer).then_some(Value::Other),
        Token::DictClose | Token::ArrayClose => None,
        Token::Word(word) => Some(read_number_or_reference(lexer, word)),
    }
}

fn read_number_or_reference<'a>(lexer: &mut Lexer<'a>, word: &[u8]) -> Value<'a> {
    let Some(number) = parse_integer(word) else {
        return Value::Other;
    };

    let checkpoint = lexer.position;
    let generation = lexer.next_token();
    let keyword = lexer.next_token();
    if let (Some(Token::Word(generation)), Some(Token::Word(b"R"))) = (generation, keyword)
        && parse_integer(generation).is_some()
    {
        return Value::Reference;
    }
    lexer.position = checkpoint;
    Value::Integer(number)
}

/// Skips to the close of a container just opened; `false` if the input ends first.
fn skip_container(lexer: &mut Lexer<'_>) -> bool {
    let mut depth = 1usize;
    while depth > 0 {
        match lexer.next_token() {
            Some(Token::DictOpen | Token::ArrayOpen) => depth += 1,
            Some(Token::DictClose | Token::ArrayClose) => depth -= 1,
            Some(_) => {}
            None => return false,
        }
    }
    true
}

/// A non-negative decimal integer of at most 19 digits (so it fits in a `u64`).
pub(super) fn parse_integer(word: &[u8]) -> Option<u64> {
    if word.is_empty() || word.len() > 19 || !word.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(word).ok()?.parse().ok()
}

/// PDF white space: NUL, tab, line feed, form feed, carriage return, space.
pub(super) fn is_white(byte: u8) -> bool {
    matches!(byte, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}
