//! Integration tests of the model crate: MiniLM embeddings, the llama.cpp backend with
//! SmolLM2 135M (installed once from PyPI through the crate's own installer), and the
//! OpenAI-compatible chat client against a loopback server speaking its wire format.

mod llama;
mod minilm;
mod openai_chat;
