//! One way a screen waits for what it loads: a placeholder saying what is loading, then the view,
//! or why it could not be loaded (the typed [`AdminError`], in words). Built once for every screen:
//! the view comes erased, so the waiting and error machinery is not made again per screen.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;

use crate::api::AdminError;
use crate::components::notice::load_errors;

/// The loaded view, or the failure; `None` while loading. Reading the screen's resource inside
/// it is what the wait follows.
type Content = Box<dyn Fn() -> Option<Result<AnyView, AdminError>> + Send + Sync>;

/// `label` ("Loading accounts…") until `content` has an answer, then its view or its error.
pub fn loading(
    label: &'static str,
    content: impl Fn() -> Option<Result<AnyView, AdminError>> + Send + Sync + 'static,
) -> AnyView {
    wait(label, Box::new(content))
}

fn wait(label: &'static str, content: Content) -> AnyView {
    view! {
        <Suspense fallback=move || view! { <div class="card loading">{label}</div> }>
            <ErrorBoundary fallback=load_errors>{move || content()}</ErrorBoundary>
        </Suspense>
    }
    .into_any()
}

/// What a screen loads, and loads again when a signal its fetch reads changes: a `T`, or why it
/// could not be had.
///
/// Every screen's load shares one resource underneath: the answer is kept behind `dyn Any` and
/// the fetch behind `dyn Fn`, so Leptos's async machinery is compiled once for the admin
/// instead of once per screen (about 3 KB of wasm each). The `T` comes back typed from [`get`].
///
/// [`get`]: Load::get
pub struct Load<T> {
    resource: LocalResource<Loaded>,
    answer: PhantomData<fn() -> T>,
}

/// A load's answer with its type erased.
type Loaded = Result<Rc<dyn Any>, AdminError>;

/// A load's fetch with its type erased.
type Fetch = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Loaded>>>>;

impl<T: Clone + 'static> Load<T> {
    /// Runs `fetch` now, and again whenever a signal it reads before its first `.await` changes.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, AdminError>> + 'static,
    {
        let erased: Fetch = Box::new(move || {
            let answer = fetch();
            Box::pin(async move { answer.await.map(|value| Rc::new(value) as Rc<dyn Any>) })
        });
        Load {
            resource: resource(erased),
            answer: PhantomData,
        }
    }

    /// The answer (tracked), `None` while loading.
    pub fn get(&self) -> Option<Result<T, AdminError>> {
        let loaded = self.resource.get()?;
        Some(loaded.map(|value| {
            value
                .downcast_ref::<T>()
                .expect("a Load<T> is only ever given a T")
                .clone()
        }))
    }

    /// Fetches again (after a change this page made).
    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Load<T> {}

/// The one resource every [`Load`] is.
fn resource(fetch: Fetch) -> LocalResource<Loaded> {
    LocalResource::new(fetch)
}
