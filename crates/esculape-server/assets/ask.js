// Demander: streams the answer of /api/v1/ask (server-sent events over fetch) into the
// page. Without this script the form posts to /demander and the answer comes whole.
// Builds every node with textContent: no HTML from the server or the sources is parsed.
'use strict';
(function () {
  const form = document.getElementById('ask-form');
  const slot = document.getElementById('answer');
  if (!form || !slot || !window.fetch || !window.ReadableStream) return;
  const t = slot.dataset;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }
  const passageHref = (passage) => '/passage?id=' + encodeURIComponent(passage.id);

  function sourceLine(passage) {
    const date = passage.published || passage.date;
    const line = el('span', { class: 'provenance-line' },
      passage.publisher + ' — ', el('cite', {}, passage.source_title),
      ' : ' + passage.document_title + ' (version ' + passage.version + (date ? ', ' + date : '') + ') ');
    return [line, el('a', { href: passageHref(passage) }, t.open)];
  }

  function sentenceNode(sentence, passages) {
    const paragraph = el('p', { class: 'sentence' }, sentence.text);
    for (const number of sentence.citations) {
      const passage = passages && passages[number - 1];
      paragraph.append(' ');
      paragraph.append(passage
        ? el('a', { class: 'citation', href: passageHref(passage), title: passage.document_title }, '[' + number + ']')
        : el('span', { class: 'citation' }, '[' + number + ']'));
    }
    return paragraph;
  }

  function renderFinal(section, answer) {
    section.replaceChildren(el('h2', {}, t.answerHeading));
    const calculators = answer.calculators || [];
    if (calculators.length > 0) {
      const english = document.documentElement.lang === 'en';
      const list = el('ul', {});
      for (const calculator of calculators) {
        list.append(el('li', {}, el('a', { href: '/scores/' + encodeURIComponent(calculator.id) },
          english ? calculator.name_en : calculator.name_fr)));
      }
      section.append(el('section', { class: 'answer-calculators' }, el('h3', {}, t.calculatorsHeading), list));
    }
    const interactions = answer.interactions || {};
    if ((interactions.drugs_named || []).length >= 2) {
      const part = el('section', { class: 'answer-interactions' }, el('h3', {}, t.interactionsHeading));
      if (!interactions.checked) part.append(el('p', { class: 'warning' }, t.interactionsNotChecked));
      for (const alert of interactions.alerts || []) {
        part.append(el('article', { class: 'alert' },
          el('p', {}, el('strong', { class: 'level' }, alert.level.toUpperCase()), ' — ' + alert.drugs[0] + ' + ' + alert.drugs[1]),
          el('p', {}, alert.summary), el('p', { class: 'hint' }, alert.source)));
      }
      section.append(part);
    }
    if (answer.abstained) {
      section.append(el('p', { class: 'abstention', role: 'status' },
        el('strong', {}, answer.abstention_message || ''), ' ' + t.abstained));
      section.append(el('h3', {}, t.closest));
      const list = el('ol', { class: 'sources' });
      for (const number of answer.closest_passages) {
        const passage = answer.passages[number - 1];
        if (passage) list.append(el('li', {}, ...sourceLine(passage), el('blockquote', {}, passage.text)));
      }
      section.append(list);
    } else {
      section.append(el('p', { class: 'mode' },
        answer.mode === 'generative' ? t.generative + ' ' + (answer.model || '') : t.extractive));
      const sentences = el('div', { class: 'sentences' });
      for (const sentence of answer.sentences) sentences.append(sentenceNode(sentence, answer.passages));
      section.append(sentences, el('h3', {}, t.citedSources));
      const cited = [...new Set(answer.sentences.flatMap((sentence) => sentence.citations))].sort((a, b) => a - b);
      const list = el('ol', { class: 'sources' });
      for (const number of cited) {
        const passage = answer.passages[number - 1];
        if (passage) list.append(el('li', { value: String(number) }, ...sourceLine(passage)));
      }
      section.append(list);
    }
    if (answer.dropped > 0) section.append(el('p', { class: 'hint' }, answer.dropped + ' ' + t.dropped));
  }

  function showError(message) {
    slot.replaceChildren(el('p', { class: 'error', role: 'alert' }, message));
  }

  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    const question = form.elements.question.value;
    const csrf = form.elements.csrf.value;
    const section = el('section', { class: 'answer', 'aria-busy': 'true' },
      el('h2', {}, t.answerHeading), el('p', { class: 'hint answering' }, t.answering));
    const streamed = el('div', { class: 'sentences' });
    section.append(streamed);
    slot.replaceChildren(section);
    button.disabled = true;
    try {
      const response = await fetch('/api/v1/ask', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, Accept: 'text/event-stream' },
        body: JSON.stringify({ question }),
      });
      if (response.status === 429) {
        const seconds = response.headers.get('Retry-After') || '?';
        slot.replaceChildren(el('p', { class: 'error busy', role: 'alert' },
          t.busy + ' ' + t.retryIn + ' ' + seconds + ' ' + t.seconds + '.'));
        return;
      }
      if (!response.ok) {
        let message = response.statusText;
        try { message = (await response.json()).error.message; } catch (_) { /* not JSON */ }
        showError(message);
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          const payload = JSON.parse(data);
          if (name === 'sentence') streamed.append(sentenceNode(payload, null));
          else if (name === 'answer') renderFinal(section, payload);
          else if (name === 'error') showError(payload.message);
        }
      }
    } catch (error) {
      showError(String(error));
    } finally {
      section.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
})();
