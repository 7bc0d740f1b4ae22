import { parseTwiml, TwimlError } from '../../../src/sim';

describe('parseTwiml', () => {
  it('parses verbs in order with Twilio defaults', () => {
    const verbs = parseTwiml(`<?xml version="1.0" encoding="UTF-8"?>
      <Response>
        <Say language="es-MX" loop="2">Hola &amp; bienvenido</Say>
        <Gather input="dtmf speech" numDigits="4" hints="refill, appointment"><Say>Enter</Say><Pause/></Gather>
        <Dial action="/after" timeout="15"><Client><Identity>agent-1</Identity><Parameter name="k" value="v"/></Client></Dial>
        <Enqueue waitUrl="/wait" action="/left">pharmacy</Enqueue>
        <Record maxLength="60" playBeep="false"/>
      </Response>`);
    expect(verbs.map((v) => v.verb)).toEqual(['Say', 'Gather', 'Dial', 'Enqueue', 'Record']);
    expect(verbs[0]).toEqual({ verb: 'Say', text: 'Hola & bienvenido', language: 'es-MX', voice: undefined, loop: 2 });
    expect(verbs[1]).toMatchObject({ input: ['dtmf', 'speech'], numDigits: 4, finishOnKey: '#', timeout: 5, method: 'POST', actionOnEmptyResult: false });
    expect(verbs[2]).toMatchObject({ timeout: 15, nouns: [{ kind: 'Client', identity: 'agent-1', params: { k: 'v' } }] });
    expect(verbs[3]).toMatchObject({ queue: 'pharmacy', waitUrl: '/wait', waitUrlMethod: 'POST', action: '/left' });
    expect(verbs[4]).toMatchObject({ maxLength: 60, playBeep: false, finishOnKey: '1234567890*#' });
  });

  it("reads a <Client>'s own status callback: the events asked for, else only completed", () => {
    const [dial] = parseTwiml(`<Response><Dial>
      <Client statusCallback="/answered" statusCallbackEvent="answered completed">agent_1</Client>
      <Client statusCallback="/done" statusCallbackMethod="GET">agent_2</Client>
    </Dial></Response>`);
    expect(dial).toMatchObject({
      nouns: [
        { kind: 'Client', identity: 'agent_1', statusCallback: '/answered', statusCallbackMethod: 'POST', statusCallbackEvents: ['answered', 'completed'] },
        { kind: 'Client', identity: 'agent_2', statusCallback: '/done', statusCallbackMethod: 'GET', statusCallbackEvents: ['completed'] },
      ],
    });
  });

  it.each([
    ['', 12100],
    ['<Response><Say>unclosed</Response>', 12100],
    ['<Speak/>', 12100],
    ['<Response><Gather><Dial>+15551234567</Dial></Gather></Response>', 12200],
    ['<Response><Gather numDigits="x"/></Response>', 12200],
    ['<Response><Conference>room</Conference></Response>', 12200],
    ['<Response><Dial><Client statusCallback="/s" statusCallbackEvent="picked-up">a</Client></Dial></Response>', 12200],
  ])('rejects %j with code %d', (xml, code) => {
    expect(() => parseTwiml(xml)).toThrow(TwimlError);
    try {
      parseTwiml(xml);
    } catch (e) {
      expect((e as TwimlError).code).toBe(code);
    }
  });
});
