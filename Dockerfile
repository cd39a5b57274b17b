# deskhand worker: Debian slim, Node 20, Xvfb, fonts (CJK included), a non-root user, `deskhand worker`
# as the entry point. Each slot starts its own Xvfb inside the container.
# NOT BUILT HERE: the machine it was written on reaches no container registry. The packages are those
# ./scripts/setup installs for deskhand itself (keep them in step with it and scripts/required-programs),
# without the programs only the tests use. Add the applications your jobs drive in an image FROM this one.
FROM node:20-bookworm-slim

# libxtst6 libxinerama1 libpng16-16 libx11-6: nut-js's native library; xvfb: the slots' displays;
# imagemagick + x11-xserver-utils: the screenshot fallback; python3-tk: `deskhand demo` (a smoke test);
# fonts-wqy-microhei: CJK text shows as glyphs in screenshots; tini: signals reach the worker (grace).
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    xvfb libxtst6 libxinerama1 libpng16-16 libx11-6 x11-xserver-utils x11-xkb-utils imagemagick \
    fontconfig fonts-dejavu-core fonts-wqy-microhei python3 python3-tk ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/deskhand
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY calibration ./calibration
COPY native-adapters ./native-adapters
COPY bench ./bench
COPY demo ./demo
RUN npm run build && npm prune --omit=dev

RUN useradd --create-home --uid 10001 deskhand
USER deskhand
ENV DESKHAND_REDIS=redis://redis:6379 \
    XDG_STATE_HOME=/home/deskhand/.local/state
# Run records: mount a volume here to keep them.
VOLUME /home/deskhand/.local/state/deskhand/runs

# The API key (TZAFON_API_KEY or OPENAI_API_KEY) and the secrets jobs name come from the environment.
ENTRYPOINT ["tini", "--", "node", "/opt/deskhand/bin/deskhand", "worker"]
CMD ["--slots", "2", "--grace", "60"]
