//! A real HTTP server imitating upstream AI APIs for tests and demos.
//! It is built by the providers issue; the foundation ships no mock yet.
